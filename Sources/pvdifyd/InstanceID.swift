import Foundation
import PvdifyStore

/// A short random id of this installation, kept in `<data-dir>/instance-id`: containers carry it,
/// so two pvdifyds sharing one Podman never touch each other's containers.
enum InstanceID {
    static func load(_ dataDirectory: URL) throws -> String {
        let file = dataDirectory.appendingPathComponent("instance-id")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return id }
        }
        let id = Store.randomHex(bytes: 6)
        try PrivateFile.write(id + "\n", to: file)
        return id
    }
}
