import Foundation

/// The App document (`apiVersion: pvdify.win/v1`, `kind: App`): the same shape in YAML files,
/// behind `GET/PUT /apps/{name}/manifest`, and for `apply`.
public struct AppManifest: Sendable, Equatable {
    public static let apiVersion = "pvdify.win/v1"
    public static let kind = "App"

    public var name: String
    public var spec: AppSpec
    public var domains: [String]
    /// Plain config vars; secrets never travel in a manifest.
    public var config: [String: String]
    /// Names of secrets the app expects to exist.
    public var secrets: [String]
    /// Secrets sealed to the server's key (`spec.sealed_secrets`), by name; applying sets them.
    /// Never part of the stored document: the store keeps their values encrypted as secrets.
    public var sealedSecrets: [String: SealedSecret]

    public init(
        name: String, spec: AppSpec, domains: [String], config: [String: String], secrets: [String],
        sealedSecrets: [String: SealedSecret] = [:]
    ) {
        self.name = name
        self.spec = spec
        self.domains = domains
        self.config = config
        self.secrets = secrets
        self.sealedSecrets = sealedSecrets
    }

    /// Validates a whole document; every error names its field (`spec.processes.web.count`).
    /// `maxNameLength` is 63 for preview apps.
    public static func parse(_ document: JSONValue, maxNameLength: Int = 30) throws -> AppManifest {
        let root = try FieldReader(document)
        try root.rejectUnknown(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        guard try root.string("apiVersion") == apiVersion else {
            throw ValidationError(field: "apiVersion", message: "must be '\(apiVersion)'")
        }
        guard try root.string("kind") == kind else { throw ValidationError(field: "kind", message: "must be '\(kind)'") }
        guard let metadata = try root.object("metadata") else { throw ValidationError(field: "metadata", message: "is required") }
        try metadata.rejectUnknown(allowed: ["name", "labels"])
        let name = try metadata.requiredString("name")
        if let problem = Rules.appName(name, maxLength: maxNameLength) {
            throw ValidationError(field: "metadata.name", message: problem)
        }
        var labels: [String: String] = [:]
        for (key, value) in try metadata.stringMap("labels") ?? [:] {
            if let problem = Rules.labelKey(key) { throw ValidationError(field: "metadata.labels.\(key)", message: problem) }
            labels[key] = value ?? ""
        }

        let specReader = try root.object("spec") ?? FieldReader(.object([:]), path: "spec")
        try specReader.rejectUnknown(allowed: [
            "environment", "image", "processes", "domains", "resources", "healthcheck", "config", "secrets", "sealed_secrets",
            "previews", "github",
        ])
        var spec = AppSpec(labels: labels)
        if let environment = try specReader.string("environment") {
            spec.environment = try AppEnvironment.parse(environment, field: specReader.path("environment"))
        }
        if let image = try specReader.string("image") {
            if let problem = Rules.imageReference(image) { throw ValidationError(field: specReader.path("image"), message: problem) }
            spec.image = image
        }
        if let processes = try specReader.object("processes") {
            spec.processes = [:]
            for (type, value) in processes.fields {
                try ProcessSpec.validateType(type, field: processes.path(type))
                spec.processes[type] = try ProcessSpec.parse(FieldReader(value, path: processes.path(type)), base: nil)
            }
        }
        if let resources = try specReader.object("resources") {
            spec.resources = try Resources.parse(resources, base: Resources())
        }
        if let healthcheck = try specReader.object("healthcheck") {
            spec.healthcheck = try Healthcheck.parse(healthcheck, base: Healthcheck())
        }
        if let previews = try specReader.object("previews") {
            spec.previews = try PreviewPolicy.parse(previews, base: PreviewPolicy())
        }
        if let github = try specReader.object("github") {
            spec.github = try GitHubLink.parse(github, base: nil)
        }
        var domains: [String] = []
        for (index, domain) in (try specReader.stringArray("domains") ?? []).enumerated() {
            let lowered = domain.lowercased()
            if let problem = Rules.hostname(lowered) {
                throw ValidationError(field: "spec.domains[\(index)]", message: problem)
            }
            guard !domains.contains(lowered) else {
                throw ValidationError(field: "spec.domains[\(index)]", message: "'\(lowered)' is listed twice")
            }
            domains.append(lowered)
        }
        var config: [String: String] = [:]
        for (key, value) in try specReader.stringMap("config") ?? [:] {
            let field = "spec.config.\(key)"
            if let problem = Rules.configKey(key) { throw ValidationError(field: field, message: problem) }
            guard let value else { throw ValidationError(field: field, message: "must be a string") }
            if let problem = Rules.configValue(value) { throw ValidationError(field: field, message: problem) }
            guard value != ConfigVersion.redacted else {
                throw ValidationError(field: field, message: "is a redacted secret; list secrets under spec.secrets by name")
            }
            config[key] = value
        }
        let secrets = try specReader.stringArray("secrets") ?? []
        for (index, secret) in secrets.enumerated() {
            if let problem = Rules.configKey(secret) { throw ValidationError(field: "spec.secrets[\(index)]", message: problem) }
            if config[secret] != nil {
                throw ValidationError(field: "spec.secrets[\(index)]", message: "'\(secret)' is also a plain var in spec.config")
            }
        }
        var sealedSecrets: [String: SealedSecret] = [:]
        for (key, ciphertext) in try specReader.stringMap("sealed_secrets") ?? [:] {
            let field = "spec.sealed_secrets.\(key)"
            if let problem = Rules.configKey(key) { throw ValidationError(field: field, message: problem) }
            guard let ciphertext else { throw ValidationError(field: field, message: "must be a string") }
            if let problem = SealedSecret.problem(ciphertext) { throw ValidationError(field: field, message: problem) }
            guard config[key] == nil else { throw ValidationError(field: field, message: "'\(key)' is also a plain var in spec.config") }
            sealedSecrets[key] = SealedSecret(ciphertext: ciphertext)
        }
        return AppManifest(
            name: name, spec: spec, domains: domains, config: config, secrets: secrets.sorted(), sealedSecrets: sealedSecrets)
    }

    /// The document to show, with the observed status beside the spec.
    public func document(status: AppStatus?) -> ManifestDocument {
        ManifestDocument(
            metadata: .init(name: name, labels: spec.labels.isEmpty ? nil : spec.labels),
            spec: .init(
                environment: spec.environment,
                image: spec.image,
                processes: spec.processes,
                domains: domains,
                resources: spec.resources,
                healthcheck: spec.healthcheck,
                config: config,
                secrets: secrets,
                previews: spec.previews == PreviewPolicy() ? nil : ManifestDocument.PreviewsDocument(spec.previews),
                github: spec.github
            ),
            status: status
        )
    }
}

/// The App document in output order, for YAML and JSON encoders.
public struct ManifestDocument: Sendable, Encodable {
    public var apiVersion = AppManifest.apiVersion
    public var kind = AppManifest.kind
    public var metadata: Metadata
    public var spec: Spec
    public var status: AppStatus?

    public struct Metadata: Sendable, Encodable {
        public var name: String
        public var labels: [String: String]?
    }

    public struct Spec: Sendable, Encodable {
        public var environment: AppEnvironment
        public var image: String?
        public var processes: [String: ProcessSpec]
        public var domains: [String]
        public var resources: Resources
        public var healthcheck: Healthcheck
        public var config: [String: String]
        public var secrets: [String]
        /// Left out while every field has its default.
        public var previews: PreviewsDocument?
        /// Left out when the app names no GitHub repository.
        public var github: GitHubLink?
    }

    /// The `previews` section as written in manifests (`ttl` as `7d`, `12h`, ...).
    public struct PreviewsDocument: Sendable, Encodable {
        public var ttl: String
        public var max: Int
        public var scale: [String: Int]
        public var config: [String: String]
        public var secrets: [String]
        public var image: String?
        public var forks: Bool

        init(_ policy: PreviewPolicy) {
            ttl = policy.ttlText
            max = policy.max
            scale = policy.scale
            config = policy.config
            secrets = policy.secrets
            image = policy.image
            forks = policy.forks
        }
    }
}

extension Rules {
    /// Label keys: `[A-Za-z0-9._/-]`, at most 63 characters.
    public static func labelKey(_ key: String) -> String? {
        guard !key.isEmpty, key.utf8.count <= 63,
              key.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/") })
        else { return "label keys are 1 to 63 characters of letters, digits, '.', '_', '-' and '/'" }
        return nil
    }
}
