/// Reads typed fields out of a JSON object, producing `ValidationError`s that name the field path.
/// Unknown keys are rejected by `rejectUnknown`, with the nearest known key suggested.
public struct FieldReader: Sendable {
    public let path: String
    public let fields: [String: JSONValue]

    public init(_ value: JSONValue, path: String = "") throws {
        guard case .object(let fields) = value else {
            throw ValidationError(field: path, message: "must be an object, not \(value.typeName)")
        }
        self.path = path
        self.fields = fields
    }

    /// The path of a child field.
    public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether a key is present (even with a `null` value).
    public func has(_ key: String) -> Bool { fields[key] != nil }

    public func rejectUnknown(allowed: [String]) throws {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            var message = "unknown field"
            if let suggestion = nearest(to: key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            throw ValidationError(field: path(key), message: message)
        }
    }

    public func string(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw ValidationError(field: path(key), message: "must be a string, not \(other.typeName)")
        }
    }

    public func requiredString(_ key: String) throws -> String {
        guard let value = try string(key) else { throw ValidationError(field: path(key), message: "is required") }
        return value
    }

    public func int(_ key: String) throws -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .int(let value)?: return value
        case .double(let value)? where value == value.rounded() && abs(value) < 1e15: return Int(value)
        case let other?: throw ValidationError(field: path(key), message: "must be an integer, not \(other.typeName)")
        }
    }

    public func number(_ key: String) throws -> Double? {
        switch fields[key] {
        case nil, .null?: return nil
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        case let other?: throw ValidationError(field: path(key), message: "must be a number, not \(other.typeName)")
        }
    }

    public func object(_ key: String) throws -> FieldReader? {
        switch fields[key] {
        case nil, .null?: return nil
        case let value?: return try FieldReader(value, path: path(key))
        }
    }

    public func stringArray(_ key: String) throws -> [String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.enumerated().map { index, item in
                guard case .string(let value) = item else {
                    throw ValidationError(field: "\(path(key))[\(index)]", message: "must be a string, not \(item.typeName)")
                }
                return value
            }
        case let other?: throw ValidationError(field: path(key), message: "must be an array, not \(other.typeName)")
        }
    }

    /// A map of string values (`null` too, when `allowNull`). Numbers and booleans are refused, not
    /// taken as their text: `1`, `1.0` and `true` would each be stored differently from what was meant.
    public func stringMap(_ key: String, allowNull: Bool = false) throws -> [String: String?]? {
        guard let child = try object(key) else { return nil }
        var result: [String: String?] = [:]
        for (name, value) in child.fields {
            switch value {
            case .string(let text): result[name] = .some(text)
            case .null where allowNull: result[name] = .some(nil)
            case .int, .double, .bool:
                throw ValidationError(field: child.path(name), message: "must be a string, not \(value.typeName) (quote it: \"\(value.plainText)\")")
            default:
                throw ValidationError(field: child.path(name), message: "must be a string, not \(value.typeName)")
            }
        }
        return result
    }
}

/// The allowed name closest to `key` by edit distance, when it is close enough to be a likely typo.
func nearest(to key: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, key.count / 3) else { return nil }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
