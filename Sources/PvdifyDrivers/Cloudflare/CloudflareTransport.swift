import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends `CloudflareRequest`s to the API with the Bearer token, riding out 429s and 5xx by its retry
/// policy; the one place that does I/O. The token never appears in logs or errors.
public final class CloudflareTransport: Sendable {
    /// A successful answer.
    public struct Response: Sendable {
        /// The HTTP status (below 400).
        public let status: Int
        /// The body: Cloudflare's envelope.
        public let body: Data
    }

    /// The API base URL without a trailing slash (`https://api.cloudflare.com/client/v4`).
    public let baseURL: String
    /// When calls are sent again.
    public let retry: CloudflareRetryPolicy
    /// How long one attempt may take.
    public let timeout: Duration
    private let token: String
    private let executor: HTTPExecutor
    private let logger: Logger
    private static let maxBodyBytes = 32 * 1024 * 1024

    /// A transport over `httpClient` (the process-wide shared client by default, which needs no shutdown).
    public init(
        baseURL: URL, token: String, retry: CloudflareRetryPolicy = CloudflareRetryPolicy(), timeout: Duration = .seconds(30),
        httpClient: HTTPClient = .shared, logger: Logger
    ) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.retry = retry
        self.timeout = timeout
        self.executor = HTTPExecutor(client: httpClient)
        self.logger = logger
    }

    /// The absolute URL of a request.
    public func url(for request: CloudflareRequest) -> String { baseURL + request.target }

    /// Sends a request, retrying as the policy allows; throws `CloudflareError` for an error answer
    /// (status 400 or more) or when no answer came.
    public func send(_ request: CloudflareRequest) async throws -> Response {
        let call = "\(request.method.rawValue) \(request.path)"
        var attempt = 0
        while true {
            attempt += 1
            let status: Int
            let body: Data
            let retryAfter: String?
            do {
                (status, body, retryAfter) = try await execute(request)
            } catch let error as CancellationError {
                throw error
            } catch {
                if let delay = retry.delay(afterAttempt: attempt, status: nil, retryAfter: nil, method: request.method) {
                    logger.notice("cloudflare: no answer, retrying", metadata: ["call": "\(call)", "error": "\(error)", "retry_in": "\(delay)"])
                    try await Task.sleep(for: delay)
                    continue
                }
                throw CloudflareError(
                    status: 0, errors: [CloudflareMessage(code: 0, message: "no answer from \(baseURL): \(error)")], call: call,
                    attempts: attempt)
            }
            if status < 400 { return Response(status: status, body: body) }
            let failure = Self.error(status: status, body: body, call: call, attempts: attempt, retryAfter: retryAfter)
            guard let delay = retry.delay(afterAttempt: attempt, status: status, retryAfter: retryAfter, method: request.method) else {
                throw failure
            }
            logger.notice(
                status == 429 ? "cloudflare: rate limited, retrying" : "cloudflare: server error, retrying",
                metadata: ["call": "\(call)", "status": "\(status)", "retry_in": "\(delay)"])
            try await Task.sleep(for: delay)
        }
    }

    /// The call a request makes, with the token.
    func call(for request: CloudflareRequest) -> HTTPCall {
        var headers = [(name: "Authorization", value: "Bearer \(token)"), (name: "Accept", value: "application/json")]
        if request.body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        return HTTPCall(method: request.method.rawValue, url: url(for: request), headers: headers, body: request.body)
    }

    private func execute(_ request: CloudflareRequest) async throws -> (Int, Data, String?) {
        let answer = try await executor.send(call(for: request), timeout: timeout, maxBodyBytes: Self.maxBodyBytes)
        return (answer.status, answer.body, answer.headers.first(name: "Retry-After"))
    }

    /// A `CloudflareError` from an error answer: the envelope's errors, or the raw text when there is none.
    static func error(status: Int, body: Data, call: String, attempts: Int, retryAfter: String?) -> CloudflareError {
        let waited = retryAfter.flatMap { CloudflareRetryPolicy.parseRetryAfter($0) }
        if let envelope = try? JSONDecoder().decode(CloudflareEnvelope<IgnoredResult>.self, from: body), !envelope.errors.isEmpty {
            return CloudflareError(status: status, errors: envelope.errors, call: call, attempts: attempts, retryAfter: waited)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let errors = text.isEmpty ? [] : [CloudflareMessage(code: 0, message: text)]
        return CloudflareError(status: status, errors: errors, call: call, attempts: attempts, retryAfter: waited)
    }
}

/// A `result` whose content does not matter (error answers, deletes).
public struct IgnoredResult: Decodable, Sendable {
    /// Accepts any JSON value.
    public init(from decoder: any Decoder) throws {}
}
