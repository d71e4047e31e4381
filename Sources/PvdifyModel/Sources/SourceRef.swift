/// Which commit of a repository a Source follows: the tip of a branch, a tag, or one fixed commit.
public enum SourceRef: Sendable, Equatable, Codable {
    case branch(String)
    case tag(String)
    case commit(String)

    /// The full ref name `git ls-remote` and `git fetch` are given; nil for a fixed commit.
    public var refName: String? {
        switch self {
        case .branch(let name): "refs/heads/\(name)"
        case .tag(let name): "refs/tags/\(name)"
        case .commit: nil
        }
    }

    /// `branch main`, for messages.
    public var description: String {
        switch self {
        case .branch(let name): "branch \(name)"
        case .tag(let name): "tag \(name)"
        case .commit(let sha): "commit \(sha)"
        }
    }

    /// `{branch: main}` (exactly one key) with the name checked.
    public static func parse(_ reader: FieldReader) throws -> SourceRef {
        try reader.rejectUnknown(allowed: ["branch", "tag", "commit"])
        let present = ["branch", "tag", "commit"].filter { reader.has($0) }
        guard present.count == 1, let key = present.first else {
            throw ValidationError(field: reader.path, message: "must name exactly one of branch, tag or commit")
        }
        let value = try reader.requiredString(key)
        switch key {
        case "commit":
            if let problem = Rules.commitID(value) { throw ValidationError(field: reader.path(key), message: problem) }
            return .commit(value)
        default:
            if let problem = Rules.gitRefName(value) { throw ValidationError(field: reader.path(key), message: problem) }
            return key == "branch" ? .branch(value) : .tag(value)
        }
    }

    enum CodingKeys: String, CodingKey { case branch, tag, commit }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try container.decodeIfPresent(String.self, forKey: .branch) { self = .branch(name) }
        else if let name = try container.decodeIfPresent(String.self, forKey: .tag) { self = .tag(name) }
        else { self = .commit(try container.decode(String.self, forKey: .commit)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .branch(let name): try container.encode(name, forKey: .branch)
        case .tag(let name): try container.encode(name, forKey: .tag)
        case .commit(let sha): try container.encode(sha, forKey: .commit)
        }
    }

    /// As a JSON object, for responses.
    public var json: JSONValue {
        switch self {
        case .branch(let name): ["branch": .string(name)]
        case .tag(let name): ["tag": .string(name)]
        case .commit(let sha): ["commit": .string(sha)]
        }
    }
}
