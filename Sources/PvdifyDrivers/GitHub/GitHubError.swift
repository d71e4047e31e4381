import Foundation

/// A failed GitHub call: the HTTP status (0 when no answer came) and GitHub's message.
public struct GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status; 0 when GitHub could not be reached or did not answer in time.
    public let status: Int
    /// GitHub's `message`, or the start of the answer, or why no answer came.
    public let message: String
    /// `POST /repos/o/r/deployments`: the call that failed (never a token).
    public let call: String

    /// Makes an error value.
    public init(status: Int, message: String, call: String) {
        self.status = status
        self.message = message
        self.call = call
    }

    /// The token was refused: an installation token that expired or was revoked early.
    public var isUnauthorized: Bool { status == 401 }

    /// `GitHub POST /repos/o/r/deployments: HTTP 500: Server Error`.
    public var description: String {
        status == 0 ? "GitHub \(call): \(message)" : "GitHub \(call): HTTP \(status): \(message)"
    }

    /// The error of an answer with status 400 or more: GitHub's `message` when it sent one.
    static func answer(status: Int, body: Data, call: String) -> GitHubError {
        struct Body: Decodable { var message: String? }
        if let message = (try? JSONDecoder().decode(Body.self, from: body))?.message, !message.isEmpty {
            return GitHubError(status: status, message: String(message.prefix(300)), call: call)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return GitHubError(status: status, message: text.isEmpty ? "no message" : text, call: call)
    }
}
