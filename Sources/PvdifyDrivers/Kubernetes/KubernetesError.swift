import Foundation

/// A failed Kubernetes API call: the `Status` object the server answered (its code, reason and
/// message), or why no answer came (`status` 0). Never holds a token or a request body.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status; 0 when the server was not reached or the call was not made.
    public var status: Int
    /// The `Status` reason: `NotFound`, `Conflict`, `Gone`, `Forbidden`, ...
    public var reason: String
    /// The server's message.
    public var message: String
    /// `METHOD path` of the call.
    public var call: String

    /// Makes an error.
    public init(status: Int, reason: String, message: String, call: String) {
        self.status = status
        self.reason = reason
        self.message = message
        self.call = call
    }

    /// A call that could not be made (bad input or configuration).
    static func local(_ message: String) -> KubernetesError {
        KubernetesError(status: 0, reason: "Invalid", message: message, call: "")
    }

    /// The object does not exist.
    public var isNotFound: Bool { status == 404 }
    /// A watch's resource version is too old: list again.
    public var isGone: Bool { status == 410 }
    /// The server will not take the object as it is (400 BadRequest, 422 Invalid: a schema check
    /// or an admission webhook said no): trying again unchanged does not help.
    public var isRefusal: Bool { status == 400 || status == 422 }
    /// No answer came: the API server is down or unreachable.
    public var isUnreachable: Bool { status == 0 && reason == "Unreachable" }

    public var description: String {
        let prefix = call.isEmpty ? "" : "\(call): "
        return status == 0 ? "\(prefix)\(message)" : "\(prefix)\(status) \(reason): \(message)"
    }

    /// The error an answer carries: its `Status` object, or its first bytes when it has none.
    public static func decode(status: Int, body: Data, call: String) -> KubernetesError {
        if let object = try? JSONDecoder().decode(StatusObject.self, from: body), object.kind == "Status" {
            return KubernetesError(
                status: object.code ?? status, reason: object.reason ?? "Unknown", message: object.message ?? "", call: call)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesError(status: status, reason: "Unknown", message: text, call: call)
    }

    /// The fields of a `meta/v1` `Status` that pvdify reads.
    struct StatusObject: Decodable {
        var kind: String?
        var code: Int?
        var reason: String?
        var message: String?
    }
}
