import PvdifyModel

/// An equality-based label selector: `a=b`, `a==b`, `a!=b` and `a` (has the label), comma-separated.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
    }

    var requirements: [Requirement]

    /// Parses a selector; nil when it is not one this stand-in understands.
    init?(_ text: String) {
        requirements = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if part.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(part))
            } else {
                return nil
            }
        }
    }

    /// Whether the object's labels satisfy every requirement.
    func matches(_ object: JSONValue) -> Bool {
        let labels = object["metadata"]?["labels"]?.objectValue ?? [:]
        return requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key]?.stringValue == value
            case .notEquals(let key, let value): labels[key]?.stringValue != value
            case .exists(let key): labels[key] != nil
            }
        }
    }
}
