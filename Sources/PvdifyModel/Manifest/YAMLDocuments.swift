import Yams

/// Turns YAML text into `JSONValue` documents, honouring quotes (`"123"` stays a string) and
/// reading only `true`/`false` as booleans, so `NODE_ENV: no` keeps its text. The text is first
/// checked against `DocumentLimits` (no anchors or aliases, bounded documents, nodes, depth and
/// scalars), so nothing is expanded or built from a hostile text.
public enum YAMLDocuments {
    /// A parsed document and the line it starts on (1-based), for error messages.
    public struct Document: Sendable {
        public let value: JSONValue
        public let line: Int
    }

    public static func parse(_ text: String, limits: DocumentLimits = .standard) throws -> [Document] {
        try YAMLPreflight.check(text, limits: limits)
        do {
            // Parser.nextRoot throws on a syntax error (iterating compose_all would stop silently).
            let parser = try Parser(yaml: text)
            var documents: [Document] = []
            while let node = try parser.nextRoot() {
                documents.append(Document(value: try convert(node), line: node.mark?.line ?? 0))
            }
            return documents
        } catch let error as YamlError {
            throw ValidationError(field: "", message: "YAML syntax error: \(describe(error))")
        }
    }

    /// One document; an empty text is an error.
    public static func parseOne(_ text: String, limits: DocumentLimits = .standard) throws -> JSONValue {
        let documents = try parse(text, limits: limits)
        guard documents.count == 1, let document = documents.first else {
            throw ValidationError(field: "", message: documents.isEmpty ? "the document is empty" : "expected one document, found \(documents.count)")
        }
        return document.value
    }

    /// Checks a text against the limits without building anything (for callers that compose it themselves).
    public static func preflight(_ text: String, limits: DocumentLimits = .standard) throws {
        try YAMLPreflight.check(text, limits: limits)
    }

    static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .int: if let value = Int.construct(from: scalar) { return .int(value) }
            case .float: if let value = Double.construct(from: scalar), value.isFinite { return .double(value) }
            case .bool:
                switch scalar.string {
                case "true", "True", "TRUE": return .bool(true)
                case "false", "False", "FALSE": return .bool(false)
                default: break
                }
            default: break
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ValidationError(field: "", message: "mapping keys must be plain strings (line \(line(of: key)))")
                }
                guard object[keyScalar.string] == nil else {
                    throw ValidationError(field: keyScalar.string, message: "appears twice (line \(line(of: key)))")
                }
                object[keyScalar.string] = try convert(value)
            }
            return .object(object)
        case .alias:
            throw ValidationError(field: "", message: "YAML aliases are not supported (line \(line(of: node)))")
        }
    }

    static func line(of node: Node) -> Int { node.mark?.line ?? 0 }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable YAML"
        }
    }
}
