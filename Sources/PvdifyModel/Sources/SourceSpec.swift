/// The desired state of a Source: a git repository whose App manifests pvdify applies.
public struct SourceSpec: Sendable, Equatable, Codable {
    public var url: String
    public var ref: SourceRef
    /// The folder whose `*.yaml` / `*.yml` files are read, recursively.
    public var path: String
    /// How often the remote is polled.
    public var interval: DurationText
    /// Delete apps this source created that left the repository.
    public var prune: Bool
    /// Stop syncing, and stop refusing API writes to the apps this source owns.
    public var suspend: Bool
    /// Take over existing apps that no source owns.
    public var adopt: Bool
    /// Let one sync prune every app the source owns, or more than half of them.
    public var allowMassPrune: Bool

    public static let defaultInterval = DurationText(milliseconds: 60_000)
    /// Polling faster than this gains nothing and loads the git server.
    public static let minimumInterval = DurationText(milliseconds: 1_000)
    public static let maximumInterval = DurationText(milliseconds: 86_400_000)

    public init(
        url: String, ref: SourceRef = .branch("main"), path: String = ".", interval: DurationText = SourceSpec.defaultInterval,
        prune: Bool = false, suspend: Bool = false, adopt: Bool = false, allowMassPrune: Bool = false
    ) {
        self.url = url
        self.ref = ref
        self.path = path
        self.interval = interval
        self.prune = prune
        self.suspend = suspend
        self.adopt = adopt
        self.allowMassPrune = allowMassPrune
    }

    /// Every spec field, as named in documents and request bodies.
    public static let fields = ["url", "ref", "path", "interval", "prune", "suspend", "adopt", "allow_mass_prune"]

    /// Reads spec fields over `base` (a PATCH), or over the defaults when `base` is nil, in which
    /// case `url` is required. Errors name their field under the reader's path.
    public static func parse(_ reader: FieldReader, base: SourceSpec?) throws -> SourceSpec {
        try reader.rejectUnknown(allowed: fields)
        var spec: SourceSpec
        if let base {
            spec = base
        } else {
            spec = SourceSpec(url: try reader.requiredString("url"))
        }
        if let url = try reader.string("url") {
            if let problem = Rules.repositoryURL(url) { throw ValidationError(field: reader.path("url"), message: problem) }
            spec.url = url
        }
        if let ref = try reader.object("ref") { spec.ref = try SourceRef.parse(ref) }
        if let path = try reader.string("path") {
            if let problem = Rules.repositoryPath(path) { throw ValidationError(field: reader.path("path"), message: problem) }
            spec.path = path
        }
        if let text = try reader.string("interval") {
            guard let interval = DurationText(text),
                  interval.milliseconds >= minimumInterval.milliseconds, interval.milliseconds <= maximumInterval.milliseconds
            else {
                throw ValidationError(field: reader.path("interval"), message: "must be a duration from 1s to 24h, like 1m or 30s")
            }
            spec.interval = interval
        }
        if let value = try reader.bool("prune") { spec.prune = value }
        if let value = try reader.bool("suspend") { spec.suspend = value }
        if let value = try reader.bool("adopt") { spec.adopt = value }
        if let value = try reader.bool("allow_mass_prune") { spec.allowMassPrune = value }
        return spec
    }

    enum CodingKeys: String, CodingKey {
        case url, ref, path, interval, prune, suspend, adopt
        case allowMassPrune = "allow_mass_prune"
    }

    /// As a JSON object, for responses and documents.
    public var json: JSONValue {
        [
            "url": .string(url), "ref": ref.json, "path": .string(path), "interval": .string(interval.description),
            "prune": .bool(prune), "suspend": .bool(suspend), "adopt": .bool(adopt), "allow_mass_prune": .bool(allowMassPrune),
        ]
    }
}

extension FieldReader {
    /// A boolean field; nil when absent.
    public func bool(_ key: String) throws -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw ValidationError(field: path(key), message: "must be true or false, not \(other.typeName)")
        }
    }
}
