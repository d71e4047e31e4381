import Yams

/// Finds where a field path (`spec.processes.web.count`, `spec.domains[1]`) sits in a YAML
/// document, so errors can point at file:line:column.
public enum YAMLFieldLocator {
    /// The deepest node on the path; a mapping entry that ends the path answers its key, where
    /// editors put the cursor.
    public static func locate(_ path: String, in node: Node) -> Node {
        var rest = Substring(path)
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return node }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
            guard case .sequence(let sequence) = node, sequence.indices.contains(index) else { return node }
            return locate(String(rest[rest.index(after: close)...]), in: sequence[index])
        }
        guard case .mapping(let mapping) = node else { return node }
        // Keys may contain dots (label keys), so the longest key that fits wins.
        let matches = mapping.compactMap { key, value -> (Node, Node, String)? in
            guard let name = key.string else { return nil }
            let fits = rest == name || rest.hasPrefix(name + ".") || rest.hasPrefix(name + "[")
            return fits ? (key, value, name) : nil
        }
        guard let (key, value, name) = matches.max(by: { $0.2.count < $1.2.count }) else { return node }
        let remaining = rest.dropFirst(name.count)
        return remaining.isEmpty ? key : locate(String(remaining), in: value)
    }
}

/// A YAML syntax error, at a 1-based line and column.
public struct YAMLSyntaxError: Error, Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let problem: String
}

/// One document of a YAML text, which can say where each of its fields is.
public struct LocatedDocument: @unchecked Sendable {
    public let value: JSONValue
    /// 1-based position of the document in its text.
    public let position: Int
    // `Node` is an immutable value tree; it is only read.
    let node: Node

    /// The 1-based line and column of a field path (or of the document itself).
    public func location(of field: String) -> (line: Int, column: Int)? {
        YAMLFieldLocator.locate(field, in: node).mark.map { ($0.line, $0.column) }
    }

    /// Every non-empty document of a text, in order.
    public static func parse(_ text: String) throws -> [LocatedDocument] {
        let nodes: [Node]
        do {
            let parser = try Parser(yaml: text)
            var found: [Node] = []
            while let node = try parser.nextRoot() { found.append(node) }
            nodes = found
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw YAMLSyntaxError(line: mark.line, column: mark.column, problem: problem)
            default:
                throw YAMLSyntaxError(line: 0, column: 0, problem: "unreadable YAML")
            }
        }
        return try nodes.enumerated().compactMap { index, node in
            let value = try YAMLDocuments.convert(node)
            return value == .null ? nil : LocatedDocument(value: value, position: index + 1, node: node)
        }
    }
}
