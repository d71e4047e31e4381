import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends `PodmanRequest`s to the libpod API over its unix socket; the one place that does I/O.
public final class PodmanTransport: Sendable {
    /// A complete, non-streamed answer.
    public struct Response: Sendable {
        /// The HTTP status (always below 400: errors are thrown as `PodmanError`).
        public let status: Int
        /// The body.
        public let body: Data
    }

    /// The socket's path.
    public let socketPath: String
    private let httpClient: HTTPClient
    private let executor: HTTPExecutor
    private static let maxBodyBytes = 64 * 1024 * 1024

    /// A transport with its own HTTP client: shut it down with `shutdown()`. Its connection pool
    /// allows many parallel streams (every followed log and the event stream hold a connection),
    /// and a socket nobody serves fails at once rather than after connection retries.
    public init(socketPath: String) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5))
        configuration.decompression = .disabled
        self.socketPath = socketPath
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.executor = HTTPExecutor(client: httpClient)
    }

    /// Closes the HTTP client's connections.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// The `http+unix` URL of a request: the socket path percent-encoded as the host.
    public func url(for request: PodmanRequest) -> String {
        "http+unix://" + PercentEncoding.encode(socketPath) + request.target
    }

    /// Sends a request and reads its whole answer; throws `PodmanError` for a status of 400 or more.
    public func send(_ request: PodmanRequest, timeout: Duration = .seconds(60)) async throws -> Response {
        let answer = try await executor.send(call(for: request), timeout: timeout, maxBodyBytes: Self.maxBodyBytes)
        if answer.status >= 400 { throw Self.error(status: answer.status, body: ByteBuffer(bytes: answer.body)) }
        return Response(status: answer.status, body: answer.body)
    }

    /// Sends a request whose answer streams (logs, events, pulls) and returns once the head has
    /// arrived; iterate the body to read it, cancel the iterating task to close the connection.
    public func open(_ request: PodmanRequest, timeout: Duration = .seconds(60)) async throws -> HTTPClientResponse.Body {
        let response = try await executor.open(call(for: request), timeout: timeout)
        let status = Int(response.status.code)
        if status >= 400 {
            throw Self.error(status: status, body: try await response.body.collect(upTo: Self.maxBodyBytes))
        }
        return response.body
    }

    /// The call a request makes. Podman answers 400 without a Host header, which AsyncHTTPClient
    /// omits for unix sockets.
    public func call(for request: PodmanRequest) -> HTTPCall {
        var headers = [(name: "Host", value: "podman")]
        if request.body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        return HTTPCall(method: request.method.rawValue, url: url(for: request), headers: headers, body: request.body)
    }

    /// A `PodmanError` from an error body, or one carrying the raw text when it is not Podman's JSON.
    static func error(status: Int, body: ByteBuffer) -> PodmanError {
        let data = Data(body.readableBytesView)
        if let decoded = try? JSONDecoder().decode(PodmanError.self, from: data) {
            return PodmanError(status: status, cause: decoded.cause, message: decoded.message)
        }
        return PodmanError(status: status, cause: "", message: String(decoding: data, as: UTF8.self))
    }
}
