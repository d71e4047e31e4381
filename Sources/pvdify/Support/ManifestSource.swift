import Foundation
import PvdifyModel
import Yams

/// App documents read from `-f` files, directories (`*.yaml`, `*.yml`, `*.json`) or standard
/// input (`-`), each remembering its file and YAML node so errors can point at file:line:column.
struct ManifestSource {
    /// One App document and where it came from.
    struct Document {
        let value: JSONValue
        let file: String
        /// 1-based position of the document in its file.
        let position: Int
        let node: Node?

        var appName: String? { value["metadata"]?["name"]?.stringValue }

        /// `apps/web.yaml:12:5 (document 2, app 'web')` for `field`, or for the document itself.
        func place(of field: String = "") -> String {
            var text = file
            if let mark = (node.map { Self.locate(field, in: $0) })?.mark { text += ":\(mark.line):\(mark.column)" }
            var details = ["document \(position)"]
            if let appName { details.append("app '\(appName)'") }
            return "\(text) (\(details.joined(separator: ", ")))"
        }

        /// The deepest node on a field path like `spec.processes.web.count` or `spec.domains[1]`;
        /// a mapping entry that ends the path answers its key, where editors put the cursor.
        static func locate(_ path: String, in node: Node) -> Node { YAMLFieldLocator.locate(path, in: node) }
    }

    /// Every document of every path, in order (directories sorted by file name).
    static func load(_ paths: [String], recursive: Bool) throws -> [Document] {
        guard !paths.isEmpty else { throw CLIError("name the manifests with -f FILE, -f DIRECTORY or -f - (standard input)") }
        var documents: [Document] = []
        for path in paths {
            if path == "-" {
                documents += try parse(Terminal.readStandardInput(), file: "<stdin>")
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("\(path): no such file or directory")
            }
            let files = isDirectory.boolValue ? try manifestFiles(in: path, recursive: recursive) : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read the file") }
                documents += try parse(String(decoding: data, as: UTF8.self), file: file)
            }
        }
        guard !documents.isEmpty else { throw CLIError("no App documents found in \(paths.joined(separator: ", "))") }
        return documents
    }

    static func manifestFiles(in directory: String, recursive: Bool) throws -> [String] {
        let base = URL(fileURLWithPath: directory)
        var files: [String] = []
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for entry in entries where !entry.hasPrefix(".") {
            let path = base.appendingPathComponent(entry).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                if recursive { files += try manifestFiles(in: path, recursive: true) }
            } else if ["yaml", "yml", "json"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) {
                files.append(directory == "." ? entry : (directory.hasSuffix("/") ? directory + entry : directory + "/" + entry))
            }
        }
        return files
    }

    /// The documents of one YAML (or JSON) text; empty documents are skipped, and
    /// `{"documents": [...]}` is unwrapped. Syntax errors name file, document, line and column.
    static func parse(_ text: String, file: String) throws -> [Document] {
        // The server's limits (no anchors or aliases, bounded documents, depth, nodes and
        // scalars), checked before the text is composed below.
        do {
            try YAMLDocuments.preflight(text)
        } catch let error as ValidationError {
            throw CLIError("\(file): \(error.description)")
        }
        var nodes: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() { nodes.append(node) }
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw CLIError("\(file):\(mark.line):\(mark.column): YAML syntax error in document \(nodes.count + 1): \(problem)")
            default:
                throw CLIError("\(file): unreadable YAML: \(error)")
            }
        }
        let values: [YAMLDocuments.Document]
        do {
            values = try YAMLDocuments.parse(text)
        } catch let error as ValidationError {
            throw CLIError("\(file): \(error.description)")
        }
        var documents: [Document] = []
        for (index, parsed) in values.enumerated() where parsed.value != .null {
            let node = index < nodes.count ? nodes[index] : nil
            if case .object(let fields) = parsed.value, fields["kind"] == nil, case .array(let items)? = fields["documents"] {
                let itemNodes = node.flatMap { $0["documents"]?.sequence.map(Array.init) } ?? []
                for (itemIndex, item) in items.enumerated() where item != .null {
                    documents.append(Document(
                        value: item, file: file, position: documents.count + 1,
                        node: itemIndex < itemNodes.count ? itemNodes[itemIndex] : nil))
                }
            } else {
                documents.append(Document(value: parsed.value, file: file, position: index + 1, node: node))
            }
        }
        return documents
    }

    /// Validates every document as the server will, so mistakes are reported with their place
    /// before anything is sent; returns the parsed App manifests (Source documents are checked
    /// and sent, but are not apps).
    static func validate(_ documents: [Document]) throws -> [AppManifest] {
        var manifests: [AppManifest] = []
        var problems: [String] = []
        for document in documents {
            do {
                if SourceManifest.isSource(document.value) {
                    _ = try SourceManifest.parse(document.value)
                    continue
                }
                manifests.append(try AppManifest.parse(document.value))
            } catch let error as ValidationError {
                problems.append("\(document.place(of: error.field)): \(error.description)")
            }
        }
        guard problems.isEmpty else { throw problemsError(problems) }
        return manifests
    }

    /// One problem as the error itself; several as a count with one line each.
    static func problemsError(_ problems: [String]) -> CLIError {
        problems.count == 1 ? CLIError(problems[0]) : CLIError("\(problems.count) invalid documents:", details: problems)
    }

    /// The API's 422/409/403 on `POST /apply`, its `documents[i]` fields mapped back to files.
    static func apiProblems(_ reply: APIClient.Reply, documents: [Document]) -> CLIError {
        let envelope = reply.json["error"]
        var entries = envelope?["errors"]?.arrayValue ?? []
        if entries.isEmpty, let envelope { entries = [envelope] }
        let problems = entries.compactMap { entry -> String? in
            guard let message = entry["message"]?.stringValue else { return nil }
            let field = entry["field"]?.stringValue ?? ""
            guard let (index, rest) = documentIndex(field), documents.indices.contains(index) else { return message }
            return "\(documents[index].place(of: rest)): \(stripDocumentLabel(message))"
        }
        guard !problems.isEmpty else { return APIClient.failure(reply) }
        var error = problemsError(problems)
        error.httpStatus = reply.status
        return error
    }

    /// `documents[3].spec.image` as (3, `spec.image`).
    static func documentIndex(_ field: String) -> (Int, String)? {
        guard field.hasPrefix("documents["), let close = field.firstIndex(of: "]"),
              let index = Int(field[field.index(field.startIndex, offsetBy: 10)..<close])
        else { return nil }
        var rest = field[field.index(after: close)...]
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return (index, String(rest))
    }

    /// The server's `documents[1] (app 'web', line 3): ` prefix, which the CLI replaces with the file's place.
    static func stripDocumentLabel(_ message: String) -> String {
        guard message.hasPrefix("documents["), let close = message.firstIndex(of: "]") else { return message }
        let rest = message[message.index(after: close)...]
        if rest.hasPrefix(" ("), let end = rest.range(of: "): ") { return String(rest[end.upperBound...]) }
        if rest.hasPrefix(": ") { return String(rest.dropFirst(2)) }
        return message
    }
}
