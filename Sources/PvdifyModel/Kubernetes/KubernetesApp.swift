/// What the Kubernetes objects of one app are rendered from: its spec, the release that runs,
/// and that release's config. Secrets whose values the caller cannot know (the API never shows
/// them) are listed by name in `secretsToFillIn` and rendered as empty values.
public struct KubernetesApp: Sendable, Equatable {
    public var name: String
    public var spec: AppSpec
    /// The app's `bind_port`: every process's `PORT`, and the web container's port.
    public var port: Int
    /// Custom hostnames the Ingress routes to the web process.
    public var domains: [String]
    /// The release that runs, written as an annotation (so a new release rolls the pods).
    public var release: Int
    public var image: String
    /// Plain config vars.
    public var config: [String: String]
    /// Secrets with their values.
    public var secrets: [String: String]
    /// Secrets known by name only: empty in the Secret, named in its fill-in annotation.
    public var secretsToFillIn: [String]
    /// The namespace written into every object; nil leaves it to `kubectl apply -n`.
    public var namespace: String?

    public init(
        name: String, spec: AppSpec, port: Int, domains: [String], release: Int, image: String,
        config: [String: String], secrets: [String: String] = [:], secretsToFillIn: [String] = [],
        namespace: String? = nil
    ) {
        self.name = name
        self.spec = spec
        self.port = port
        self.domains = domains
        self.release = release
        self.image = image
        self.config = config
        self.secrets = secrets
        self.secretsToFillIn = secretsToFillIn
        self.namespace = namespace
    }
}
