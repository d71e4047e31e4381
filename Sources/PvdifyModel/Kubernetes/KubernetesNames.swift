/// Names, labels and annotations of the objects pvdify renders for Kubernetes. App names and
/// process types are already DNS labels (`[a-z][a-z0-9-]*`), so the names built from them are too.
public enum KubernetesNames {
    /// The label every object pvdify renders carries, so its objects can be found and told apart.
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let managedBy = "pvdify"
    public static let nameLabel = "app.kubernetes.io/name"
    public static let componentLabel = "app.kubernetes.io/component"
    /// The release the objects were rendered from.
    public static let releaseAnnotation = "pvdify.win/release"
    /// On the Secret: the comma-separated keys whose values the export could not know.
    public static let fillInAnnotation = "pvdify.win/secrets-to-fill-in"

    /// The Deployment of one process type.
    public static func deployment(app: String, process: String) -> String { "\(app)-\(process)" }
    /// The Secret holding config vars and secrets.
    public static func secret(app: String) -> String { "\(app)-env" }
    /// The Service and the Ingress of the web process.
    public static func web(app: String) -> String { app }
    /// The TLS certificate the Ingress names (made by the cluster's certificate manager, or by hand).
    public static func tlsSecret(app: String) -> String { "\(app)-tls" }

    /// Why `text` is not a namespace (a DNS-1123 label: `[a-z0-9-]`, at most 63, alphanumeric at
    /// both ends), or nil when it is one.
    public static func namespaceProblem(_ text: String) -> String? {
        isLabel(text) ? nil : "must be a DNS label: lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit"
    }

    /// Whether `text` is a DNS-1123 label.
    public static func isLabel(_ text: String) -> Bool {
        guard (1...63).contains(text.count), let first = text.first, let last = text.last else { return false }
        let allowed = text.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }
}
