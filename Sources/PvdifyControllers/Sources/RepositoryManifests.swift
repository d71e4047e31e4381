import Foundation
import PvdifyModel
import PvdifyStore

/// Reads every App document under a folder of a checked-out repository (`*.yaml`, `*.yml`,
/// recursively, sorted, hidden entries skipped) and validates all of them. Every problem names
/// its file, line, column and field, as `pvdify apply` does.
public enum RepositoryManifests {
    /// Every problem found; nothing from the commit is applied.
    public struct Problems: Error, Sendable, Equatable {
        public let messages: [String]
    }

    static let maxFiles = 1000
    static let maxFileBytes = 1 << 20

    /// - Parameters:
    ///   - root: the work tree.
    ///   - folder: the source's `path`, relative to `root`.
    ///   - sealingKey: opens the documents' sealed secrets; one that does not open is a problem of
    ///     its file, like any invalid field. Without it, a document with sealed secrets is refused.
    public static func read(root: URL, folder: String, sealingKey: SealingKey? = nil) throws -> [SourcedManifest] {
        let base = folder == "." ? root : root.appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Problems(messages: ["\(folder): no such folder at this commit"])
        }
        let files = try manifestFiles(base, relative: folder == "." ? "" : folder)
        guard files.count <= maxFiles else { throw Problems(messages: ["\(folder): more than \(maxFiles) manifest files"]) }
        var manifests: [SourcedManifest] = []
        var problems: [String] = []
        var seen: [String: String] = [:]
        for file in files {
            let url = root.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path), data.count <= maxFileBytes else {
                problems.append("\(file): unreadable or larger than 1 MiB")
                continue
            }
            let documents: [LocatedDocument]
            do {
                documents = try LocatedDocument.parse(String(decoding: data, as: UTF8.self))
            } catch let error as YAMLSyntaxError {
                problems.append("\(file):\(error.line):\(error.column): YAML syntax error: \(error.problem)")
                continue
            } catch let error as ValidationError {
                problems.append("\(file): \(error.description)")
                continue
            }
            for document in documents {
                do {
                    guard !SourceManifest.isSource(document.value) else {
                        throw ValidationError(field: "kind", message: "a source applies App documents only; apply Source documents with pvdify apply")
                    }
                    var manifest = try AppManifest.parse(document.value)
                    if !manifest.sealedSecrets.isEmpty {
                        guard let sealingKey else {
                            throw ValidationError(field: "spec.sealed_secrets", message: "sealed secrets cannot be opened here")
                        }
                        manifest = try sealingKey.open(manifest)
                    }
                    if let first = seen[manifest.name] {
                        throw ValidationError(field: "metadata.name", message: "app '\(manifest.name)' is also in \(first)")
                    }
                    seen[manifest.name] = file
                    manifests.append(SourcedManifest(manifest: manifest, path: file))
                } catch let error as ValidationError {
                    problems.append("\(place(file, document, error.field)): \(error.description)")
                }
            }
        }
        guard problems.isEmpty else { throw Problems(messages: problems) }
        return manifests
    }

    /// `apps/web.yaml:12:5 (document 1, app 'web')`.
    static func place(_ file: String, _ document: LocatedDocument, _ field: String) -> String {
        var text = file
        if let (line, column) = document.location(of: field) { text += ":\(line):\(column)" }
        var details = ["document \(document.position)"]
        if let name = document.value["metadata"]?["name"]?.stringValue { details.append("app '\(name)'") }
        return "\(text) (\(details.joined(separator: ", ")))"
    }

    /// Manifest files under `directory`, as paths relative to the repository root.
    static func manifestFiles(_ directory: URL, relative: String) throws -> [String] {
        var files: [String] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where !entry.hasPrefix(".") {
            let url = directory.appendingPathComponent(entry)
            let path = relative.isEmpty ? entry : "\(relative)/\(entry)"
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                files += try manifestFiles(url, relative: path)
            case .typeRegular? where ["yaml", "yml"].contains(url.pathExtension.lowercased()):
                files.append(path)
            default:
                continue
            }
        }
        return files
    }
}
