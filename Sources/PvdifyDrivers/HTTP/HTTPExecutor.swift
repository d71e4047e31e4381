import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP call as a plain value, built from a driver's request value (Podman, Caddy, Cloudflare).
public struct HTTPCall: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The absolute URL (`http+unix://` for a unix socket).
    public var url: String
    /// Headers in order.
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: Data?

    /// Makes a call.
    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A whole answer to an `HTTPCall`.
public struct HTTPAnswer: Sendable {
    /// The status code.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Data
}

/// The one place the drivers send HTTP: every call has a deadline and a body limit, and a
/// cancelled task ends its call. Retrying is the caller's policy (short retries) or the runner's
/// (long waits as a requeue), never hidden here.
public struct HTTPExecutor: Sendable {
    /// The client the calls go through.
    public let client: HTTPClient

    /// An executor over `client` (the process-wide shared one by default, which needs no shutdown).
    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// Sends a call and reads its whole answer (at most `maxBodyBytes`), whatever its status.
    public func send(_ call: HTTPCall, timeout: Duration, maxBodyBytes: Int) async throws -> HTTPAnswer {
        let response = try await open(call, timeout: timeout)
        let body = try await response.body.collect(upTo: maxBodyBytes)
        return HTTPAnswer(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// Sends a call and returns once the answer's head has arrived; its body streams.
    public func open(_ call: HTTPCall, timeout: Duration) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: call.url)
        request.method = HTTPMethod(rawValue: call.method)
        for header in call.headers { request.headers.add(name: header.name, value: header.value) }
        if let body = call.body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await client.execute(request, deadline: .now() + TimeAmount(timeout))
    }
}

extension TimeAmount {
    /// A NIO time amount from a Swift `Duration`.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
