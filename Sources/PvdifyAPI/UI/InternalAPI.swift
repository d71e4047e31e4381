import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PvdifyModel

/// Sends the UI's requests through the REST API's own router, with the session's token as the
/// bearer: the same authentication, scopes, app limits, validation, store writes, rate limits and
/// audit log as any API client. The UI has no second implementation of an action.
struct InternalAPI: Sendable {
    let responder: RouterResponder<APIRequestContext>

    /// What the API answered, its body read.
    struct Answer: Sendable {
        let status: Int
        let body: String

        var ok: Bool { (200..<300).contains(status) }
        var json: JSONValue? { try? JSONValue.parse(json: Data(body.utf8)) }

        /// The API's own words for what went wrong, with the field it names.
        var errorMessage: String {
            guard let error = json?["error"] else { return "The API answered \(status)" }
            let message = error["message"]?.stringValue ?? "The API answered \(status)"
            if let field = error["field"]?.stringValue, !message.hasPrefix(field) { return "\(field): \(message)" }
            return message
        }
    }

    /// Calls the API and reads its whole answer (bounded: the UI reads no large bodies).
    func call(
        _ method: HTTPRequest.Method, _ path: String, secret: String, body: JSONValue? = nil, from context: APIRequestContext
    ) async -> Answer {
        do {
            let response = try await send(method, path, secret: secret, body: body, from: context)
            let collector = BodyCollector()
            try await response.body.write(collector)
            return Answer(status: Int(response.status.code), body: collector.text)
        } catch {
            return Answer(status: 500, body: "")
        }
    }

    /// Calls the API and hands back its response as it is (a log stream). With `browserRequest`,
    /// the browser's own request body goes along, so the API sees the browser go away.
    func send(
        _ method: HTTPRequest.Method, _ path: String, secret: String, body: JSONValue? = nil, from context: APIRequestContext,
        browserRequest: Request? = nil
    ) async throws -> Response {
        var head = HTTPRequest(method: method, scheme: nil, authority: "pvdifyd", path: path)
        head.headerFields[.authorization] = "Bearer \(secret)"
        var buffer = ByteBuffer()
        if let body {
            head.headerFields[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: body.serialized())
        }
        let request = Request(head: head, body: browserRequest?.body ?? RequestBody(buffer: buffer))
        return try await responder.respond(to: request, context: APIRequestContext(forwardedFrom: context))
    }

    /// A path segment made safe to put in a URL path: everything but unreserved bytes escaped.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// Collects a response body in memory, up to a bound.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    private var buffer = ByteBuffer()
    static let limit = 4 << 20

    var text: String { String(buffer: buffer) }

    func write(_ part: ByteBuffer) async throws {
        guard buffer.readableBytes + part.readableBytes <= Self.limit else { throw HTTPError(.contentTooLarge) }
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension APIRequestContext {
    /// A context for a request the UI makes on behalf of a browser: the browser's address, for
    /// the rate limits and the audit log.
    init(forwardedFrom context: APIRequestContext) {
        coreContext = .init(source: InternalContextSource(logger: context.logger))
        remoteAddress = context.remoteAddress
    }
}

/// The source of a context made inside the server (no channel of its own).
struct InternalContextSource: RequestContextSource {
    let logger: Logger
}

extension JSONValue {
    /// A value as a page shows it: null as nothing.
    var shownText: String { isNull ? "" : plainText }
}
