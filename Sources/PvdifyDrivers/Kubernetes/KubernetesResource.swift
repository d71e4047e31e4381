/// A kind of object pvdify writes to Kubernetes and where its collection lives in the API.
public struct KubernetesResource: Sendable, Hashable, CustomStringConvertible {
    /// `v1`, `apps/v1`, `networking.k8s.io/v1`.
    public var apiVersion: String
    /// `Deployment`, ...
    public var kind: String
    /// The collection's name in paths: `deployments`.
    public var plural: String

    /// Makes a resource.
    public init(apiVersion: String, kind: String, plural: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.plural = plural
    }

    /// `v1` Secrets.
    public static let secret = KubernetesResource(apiVersion: "v1", kind: "Secret", plural: "secrets")
    /// `apps/v1` Deployments.
    public static let deployment = KubernetesResource(apiVersion: "apps/v1", kind: "Deployment", plural: "deployments")
    /// `v1` Services.
    public static let service = KubernetesResource(apiVersion: "v1", kind: "Service", plural: "services")
    /// `networking.k8s.io/v1` Ingresses.
    public static let ingress = KubernetesResource(apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses")
    /// Every kind pvdify renders, in apply order.
    public static let all: [KubernetesResource] = [.secret, .deployment, .service, .ingress]

    /// The resource of an object with this `apiVersion` and `kind`, if pvdify writes such objects.
    public static func of(apiVersion: String, kind: String) -> KubernetesResource? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// The namespaced collection: `/api/v1/namespaces/NS/secrets`, `/apis/apps/v1/namespaces/NS/deployments`.
    public func collectionPath(namespace: String) -> String {
        let root = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
        return "\(root)/namespaces/\(PercentEncoding.encode(namespace))/\(plural)"
    }

    /// One object's path.
    public func objectPath(namespace: String, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(PercentEncoding.encode(name))"
    }

    public var description: String { "\(kind) (\(apiVersion))" }
}
