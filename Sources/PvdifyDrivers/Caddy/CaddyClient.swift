import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel

/// Caddy's admin API: reads and replaces the whole config with optimistic concurrency.
public struct CaddyClient: Sendable {
    /// `http://127.0.0.1:2019`.
    public let baseURL: URL
    let http: HTTPClient

    public init(baseURL: URL, http: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.http = http
    }

    /// The running config and its ETag.
    public func config() async throws -> (config: JSONValue, etag: String) {
        let request = CaddyRequests.getConfig()
        let (_, body) = try await send(request)
        return (try JSONValue.parse(json: body), CaddyETag.etag(path: request.path, body: body))
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

    func send(_ request: CaddyRequest) async throws -> (Int, Data) {
        var outgoing = HTTPClientRequest(url: baseURL.absoluteString.trimmingSuffix("/") + request.path)
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(outgoing, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        let data = Data(buffer.readableBytesView)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let message = (try? JSONValue.parse(json: data))?["error"]?.stringValue ?? String(decoding: data, as: UTF8.self)
            throw CaddyError(status: status, message: message)
        }
        return (status, data)
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
