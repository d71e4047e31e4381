import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, as browsers send forms. A field may repeat
/// (checkboxes), so values are kept in order.
struct UIForm: Sendable {
    let fields: [(String, String)]

    /// The largest form accepted: far above any field the UI has, far below the API's body limit.
    static let maxBytes = 64 * 1024

    init(_ text: String) {
        fields = text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            return (name, parts.count > 1 ? Self.decode(parts[1]) ?? "" : "")
        }
    }

    /// Reads the request's form body.
    static func read(_ request: inout Request) async throws -> UIForm {
        let buffer = try await request.collectBody(upTo: maxBytes)
        return UIForm(String(buffer: buffer))
    }

    /// The first value of a field.
    subscript(name: String) -> String? { fields.first { $0.0 == name }?.1 }

    /// Every value of a field.
    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
