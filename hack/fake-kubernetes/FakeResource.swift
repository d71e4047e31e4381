/// The kinds the stand-in serves, by their collection name in paths.
struct FakeResource: Sendable, Hashable {
    var apiVersion: String
    var kind: String
    var plural: String

    static let all = [
        FakeResource(apiVersion: "v1", kind: "Secret", plural: "secrets"),
        FakeResource(apiVersion: "v1", kind: "Service", plural: "services"),
        FakeResource(apiVersion: "apps/v1", kind: "Deployment", plural: "deployments"),
        FakeResource(apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses"),
    ]

    /// What a request path names: `/api/v1/namespaces/NS/PLURAL[/NAME]` or
    /// `/apis/GROUP/VERSION/namespaces/NS/PLURAL[/NAME]`.
    static func parse(_ path: String) -> (resource: FakeResource, namespace: String, name: String?)? {
        var parts = path.split(separator: "/").map(String.init)
        var apiVersion: String
        if parts.first == "api", parts.count >= 2 {
            apiVersion = parts[1]
            parts.removeFirst(2)
        } else if parts.first == "apis", parts.count >= 3 {
            apiVersion = "\(parts[1])/\(parts[2])"
            parts.removeFirst(3)
        } else {
            return nil
        }
        guard parts.count == 3 || parts.count == 4, parts[0] == "namespaces",
              let resource = all.first(where: { $0.plural == parts[2] && $0.apiVersion == apiVersion })
        else { return nil }
        return (resource, parts[1], parts.count == 4 ? parts[3] : nil)
    }
}

/// One object's place: kind, namespace and name.
struct ObjectKey: Sendable, Hashable {
    var plural: String
    var namespace: String
    var name: String
}
