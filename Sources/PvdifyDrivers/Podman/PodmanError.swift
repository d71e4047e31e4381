/// An error answer of the libpod API (`{"cause", "message", "response"}`), or a failure reported
/// inside a streamed answer.
public struct PodmanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (Podman 4.3 answers 500 for many client mistakes: read `cause`).
    public let status: Int
    /// The short root cause, e.g. `no such container`, `that name is already in use`.
    public let cause: String
    /// The full message.
    public let message: String

    /// Makes an error value.
    public init(status: Int, cause: String, message: String) {
        self.status = status
        self.cause = cause
        self.message = message
    }

    /// The container, image or object does not exist.
    public var isNotFound: Bool {
        status == 404 || ["no such container", "no such image", "no such object", "image not known"].contains(cause.lowercased())
    }

    /// Another container already has the name.
    public var isNameInUse: Bool {
        status == 409 || cause.contains("already in use") || message.contains("is already in use")
    }

    /// The image is neither local (create) nor in the registry (pull).
    public var isImageNotFound: Bool {
        let text = (cause + " " + message).lowercased()
        return text.contains("image not known") || text.contains("no such image") || text.contains("manifest unknown")
            || text.contains("name unknown")
    }

    /// `podman: <status> <cause>: <message>`.
    public var description: String { "podman: \(status) \(cause.isEmpty ? "" : cause + ": ")\(message)" }
}

extension PodmanError: Decodable {
    enum CodingKeys: String, CodingKey { case cause, message, response }

    /// Decodes Podman's error body; `response` is the status it reports.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(Int.self, forKey: .response) ?? 0
        cause = try c.decodeIfPresent(String.self, forKey: .cause) ?? ""
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
    }
}
