import Foundation
import PvdifyModel

/// Builds the Kubernetes API calls pvdify makes, as pure values.
public enum KubernetesRequests {
    /// The field manager pvdify applies as; the fields it owns in `managedFields` carry this name.
    public static let fieldManager = "pvdify"
    /// The media type of a server-side apply.
    public static let applyContentType = "application/apply-patch+yaml"

    /// A server-side apply of `object` (its `apiVersion`, `kind` and `metadata.name` say where) into
    /// `namespace`. With `force`, fields another manager changed are taken back instead of being
    /// refused as a conflict. JSON is YAML, so the body is the object's JSON.
    public static func apply(_ object: JSONValue, namespace: String, force: Bool = true) throws -> KubernetesRequest {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
              let resource = KubernetesResource.of(apiVersion: apiVersion, kind: kind)
        else { throw KubernetesError.local("cannot apply an object of this kind: \(object["kind"]?.stringValue ?? "none")") }
        guard case .object(var fields) = object, case .object(var metadata)? = fields["metadata"],
              let name = metadata["name"]?.stringValue, !name.isEmpty
        else { throw KubernetesError.local("cannot apply a \(kind) without metadata.name") }
        metadata["namespace"] = .string(namespace)
        fields["metadata"] = .object(metadata)
        var query = [KubernetesRequest.Query("fieldManager", fieldManager)]
        if force { query.append(.init("force", "true")) }
        return KubernetesRequest(
            method: "PATCH", path: resource.objectPath(namespace: namespace, name: name), query: query,
            body: Data(JSONValue.object(fields).serialized()), contentType: applyContentType)
    }

    /// Reads one object.
    public static func get(_ resource: KubernetesResource, namespace: String, name: String) -> KubernetesRequest {
        KubernetesRequest(method: "GET", path: resource.objectPath(namespace: namespace, name: name))
    }

    /// Deletes one object; its dependents (a Deployment's ReplicaSets and pods) go in the background.
    public static func delete(_ resource: KubernetesResource, namespace: String, name: String) -> KubernetesRequest {
        KubernetesRequest(
            method: "DELETE", path: resource.objectPath(namespace: namespace, name: name),
            query: [.init("propagationPolicy", "Background")])
    }

    /// Lists the objects whose labels match `labelSelector` (`key=value,key=value`).
    public static func list(_ resource: KubernetesResource, namespace: String, labelSelector: String) -> KubernetesRequest {
        KubernetesRequest(
            method: "GET", path: resource.collectionPath(namespace: namespace), query: [.init("labelSelector", labelSelector)])
    }

    /// Watches those objects from `resourceVersion` (the list's) on: newline-delimited JSON events.
    /// The server ends a watch after `timeoutSeconds`; the caller watches again from where it was.
    public static func watch(
        _ resource: KubernetesResource, namespace: String, labelSelector: String, resourceVersion: String, timeoutSeconds: Int = 290
    ) -> KubernetesRequest {
        KubernetesRequest(
            method: "GET", path: resource.collectionPath(namespace: namespace),
            query: [
                .init("labelSelector", labelSelector), .init("watch", "1"), .init("resourceVersion", resourceVersion),
                .init("timeoutSeconds", String(timeoutSeconds)),
            ])
    }

    /// The selector of every object pvdify manages, or of one app's.
    public static func selector(app: String? = nil) -> String {
        var parts = ["\(KubernetesNames.managedByLabel)=\(KubernetesNames.managedBy)"]
        if let app { parts.append("\(KubernetesNames.nameLabel)=\(app)") }
        return parts.joined(separator: ",")
    }
}
