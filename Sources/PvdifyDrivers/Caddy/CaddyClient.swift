import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel

/// Caddy's admin API: reads and replaces the whole config with optimistic concurrency.
public struct CaddyClient: Sendable {
    /// `http://127.0.0.1:2019`.
    public let baseURL: URL
    let executor: HTTPExecutor

    /// A client of the admin API at `baseURL`.
    public init(baseURL: URL, http: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.executor = HTTPExecutor(client: http)
    }

    /// The running config and its ETag.
    public func config() async throws -> (config: JSONValue, etag: String) {
        let request = CaddyRequests.getConfig()
        let (_, body) = try await send(request)
        return (try JSONValue.parse(json: body), CaddyETag.etag(path: request.path, body: body))
    }

    /// The running config's ETag alone: read, hashed, not parsed (a steady check costs little).
    public func configETag() async throws -> String {
        let request = CaddyRequests.getConfig()
        let (_, body) = try await send(request)
        return CaddyETag.etag(path: request.path, body: body)
    }

    /// Replaces the config if it is unchanged since `etag` was read; throws `CaddyError` with
    /// `isConflict` when someone else changed it meanwhile.
    public func replace(_ config: JSONValue, etag: String) async throws {
        _ = try await send(CaddyRequests.replaceConfig(try Self.encode(config), etag: etag))
    }

    /// Loads a config when Caddy has none.
    public func load(_ config: JSONValue) async throws {
        _ = try await send(CaddyRequests.load(try Self.encode(config)))
    }

    /// The PEM root certificate of Caddy's local CA.
    public func localRootCertificate() async throws -> String {
        let (_, body) = try await send(CaddyRequests.localCA())
        guard let pem = try JSONValue.parse(json: body)["root_certificate"]?.stringValue else {
            throw CaddyError(status: 200, message: "no root_certificate in /pki/ca/local")
        }
        return pem
    }

    /// The call a request makes (headers sorted, so a call is the same every time).
    func call(for request: CaddyRequest) -> HTTPCall {
        HTTPCall(
            method: request.method, url: baseURL.absoluteString.trimmingSuffix("/") + request.path,
            headers: request.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }, body: request.body)
    }

    func send(_ request: CaddyRequest) async throws -> (Int, Data) {
        let answer = try await executor.send(call(for: request), timeout: .seconds(10), maxBodyBytes: 64 << 20)
        guard (200..<300).contains(answer.status) else {
            let message = (try? JSONValue.parse(json: answer.body))?["error"]?.stringValue ?? String(decoding: answer.body, as: UTF8.self)
            throw CaddyError(status: answer.status, message: message)
        }
        return (answer.status, answer.body)
    }

    static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// An error answer of the admin API (`{"error": "..."}`).
public struct CaddyError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String

    /// The config changed since it was read (412): read again and retry.
    public var isConflict: Bool { status == 412 }

    public var description: String { "caddy: \(status) \(message)" }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
