import Foundation

/// The parent app's `previews` section: what each of its pull-request previews gets.
public struct PreviewPolicy: Sendable, Equatable, Codable {
    /// Seconds a preview lives after its last create-or-update; then the sweeper deletes it.
    public var ttlSeconds: Int
    /// How many previews the app may have at once.
    public var max: Int
    /// Instances per process type; a type not listed runs one.
    public var scale: [String: Int]
    /// Vars that override the parent's in every preview.
    public var config: [String: String]
    /// The parent's secrets that previews get (never a fork's preview); none by default.
    public var secrets: [String]
    /// The image used when a create call names none: `{number}`, `{sha}` and `{branch}` are filled in.
    public var image: String?
    /// Whether pull requests from forks get previews.
    public var forks: Bool

    public static let defaultTTLSeconds = 7 * 86_400
    public static let maxTTLSeconds = 365 * 86_400
    public static let defaultMax = 10
    public static let maxMax = 100
    public static let maxSecrets = 100
    public static let placeholders = ["number", "sha", "branch"]

    public init(
        ttlSeconds: Int = defaultTTLSeconds, max: Int = defaultMax, scale: [String: Int] = [:], config: [String: String] = [:],
        secrets: [String] = [], image: String? = nil, forks: Bool = false
    ) {
        self.ttlSeconds = ttlSeconds
        self.max = max
        self.scale = scale
        self.config = config
        self.secrets = secrets
        self.image = image
        self.forks = forks
    }

    enum CodingKeys: String, CodingKey {
        case ttlSeconds = "ttl_seconds", max, scale, config, secrets, image, forks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ttlSeconds = try container.decodeIfPresent(Int.self, forKey: .ttlSeconds) ?? Self.defaultTTLSeconds
        max = try container.decodeIfPresent(Int.self, forKey: .max) ?? Self.defaultMax
        scale = try container.decodeIfPresent([String: Int].self, forKey: .scale) ?? [:]
        config = try container.decodeIfPresent([String: String].self, forKey: .config) ?? [:]
        secrets = try container.decodeIfPresent([String].self, forKey: .secrets) ?? []
        image = try container.decodeIfPresent(String.self, forKey: .image)
        forks = try container.decodeIfPresent(Bool.self, forKey: .forks) ?? false
    }

    /// The TTL as written in specs: whole days as `7d`, else like `12h` or `90s`.
    public var ttlText: String {
        ttlSeconds % 86_400 == 0 ? "\(ttlSeconds / 86_400)d" : DurationText(milliseconds: ttlSeconds * 1000).description
    }

    /// Reads a TTL: `7d`, `12h`, `30m`, `90s` (whole seconds, 1s to 365d).
    public static func parseTTL(_ text: String, field: String) throws -> Int {
        var seconds: Int?
        if text.hasSuffix("d"), text.count > 1, text.count <= 10, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }),
            let days = Int(text.dropLast()), days <= maxTTLSeconds / 86_400 {
            seconds = days * 86_400
        } else if !text.hasSuffix("d"), let duration = DurationText(text), duration.milliseconds % 1000 == 0 {
            seconds = duration.milliseconds / 1000
        }
        guard let seconds, (1...maxTTLSeconds).contains(seconds) else {
            throw ValidationError(field: field, message: "must be a duration like 7d, 12h or 90s, between 1s and 365d")
        }
        return seconds
    }

    /// Reads the section over `base` (a PATCH changes only the fields it names; `null` resets one).
    public static func parse(_ reader: FieldReader, base: PreviewPolicy) throws -> PreviewPolicy {
        try reader.rejectUnknown(allowed: ["ttl", "max", "scale", "config", "secrets", "image", "forks"])
        var policy = base
        if reader.has("ttl") {
            policy.ttlSeconds = try reader.string("ttl").map { try parseTTL($0, field: reader.path("ttl")) } ?? defaultTTLSeconds
        }
        if reader.has("max") {
            let max = try reader.int("max") ?? defaultMax
            guard (1...maxMax).contains(max) else {
                throw ValidationError(field: reader.path("max"), message: "must be between 1 and \(maxMax)")
            }
            policy.max = max
        }
        if reader.has("scale") {
            policy.scale = [:]
            if let scale = try reader.object("scale") {
                for (type, value) in scale.fields {
                    try ProcessSpec.validateType(type, field: scale.path(type))
                    guard let count = try scale.int(type) else {
                        throw ValidationError(field: scale.path(type), message: "must be an integer, not \(value.typeName)")
                    }
                    try ProcessSpec.validateCount(count, field: scale.path(type))
                    policy.scale[type] = count
                }
            }
        }
        if reader.has("config") {
            policy.config = [:]
            for (key, value) in try reader.stringMap("config") ?? [:] {
                let field = "\(reader.path("config")).\(key)"
                if let problem = Rules.configKey(key) { throw ValidationError(field: field, message: problem) }
                let value = value ?? ""
                if let problem = Rules.configValue(value) { throw ValidationError(field: field, message: problem) }
                policy.config[key] = value
            }
        }
        if reader.has("secrets") {
            let names = try reader.stringArray("secrets") ?? []
            guard names.count <= maxSecrets else {
                throw ValidationError(field: reader.path("secrets"), message: "must list at most \(maxSecrets) names")
            }
            for (index, name) in names.enumerated() {
                if let problem = Rules.configKey(name) {
                    throw ValidationError(field: "\(reader.path("secrets"))[\(index)]", message: problem)
                }
            }
            policy.secrets = Array(Set(names)).sorted()
        }
        if reader.has("image") {
            policy.image = try reader.string("image")
            if let template = policy.image, let problem = templateProblem(template) {
                throw ValidationError(field: reader.path("image"), message: problem)
            }
        }
        if reader.has("forks") { policy.forks = try reader.bool("forks") ?? false }
        return policy
    }

    /// Why `template` is not an image template, or nil: only `{number}`, `{sha}` and `{branch}`
    /// placeholders, and filled in with sample values it must be an image reference.
    public static func templateProblem(_ template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return "has a '{' without '}'" }
            let name = String(rest[rest.index(after: open)..<close])
            guard placeholders.contains(name) else {
                return "has an unknown placeholder '{\(name)}' (allowed: {number}, {sha}, {branch})"
            }
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { return "has a '}' without '{'" }
        let sample = render(template, number: 123_456, sha: String(repeating: "0", count: 40), branch: "main")
        if let problem = Rules.imageReference(sample) { return "does not make an image reference: \(problem)" }
        return nil
    }

    /// Fills in a template. A branch becomes tag-safe: characters outside `A-Z a-z 0-9 _ . -` turn into `-`.
    public static func render(_ template: String, number: Int, sha: String?, branch: String?) -> String {
        let safeBranch = String((branch ?? "").map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) ? $0 : "-" })
        return template
            .replacingOccurrences(of: "{number}", with: String(number))
            .replacingOccurrences(of: "{sha}", with: sha ?? "")
            .replacingOccurrences(of: "{branch}", with: safeBranch)
    }

    /// Whether the template needs a placeholder's value.
    public func templateNeeds(_ placeholder: String) -> Bool { image?.contains("{\(placeholder)}") ?? false }

    /// The preview app's spec: the parent's, in `staging`, running `image`, scaled by `scale`
    /// (one instance per type by default), with no previews and no GitHub repository of its own.
    public func previewSpec(parent: AppSpec, image: String) -> AppSpec {
        var spec = parent
        spec.environment = .staging
        spec.image = image
        spec.restarts = [:]
        spec.previews = PreviewPolicy()
        spec.github = nil
        for (type, process) in parent.processes {
            spec.processes[type] = ProcessSpec(command: process.command, count: scale[type] ?? 1)
        }
        return spec
    }

    /// The preview's vars (the parent's, overridden by `config`) and secrets (the allow-listed
    /// ones the parent has; none for a fork).
    public func previewConfig(vars: [String: String], secrets: [String: String], fork: Bool) -> (vars: [String: String], secrets: [String: String]) {
        var merged = vars.merging(config) { _, override in override }
        let allowed = fork ? [:] : secrets.filter { self.secrets.contains($0.key) }
        for name in allowed.keys { merged[name] = nil }
        return (merged, allowed)
    }
}
