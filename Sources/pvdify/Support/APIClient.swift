import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PvdifyModel

/// The pvdify REST API as the CLI uses it: the URL and token from `Settings`, JSON in and out,
/// and every failure turned into a `CLIError` carrying the API's own message.
struct APIClient: Sendable {
    let apiURL: String
    let token: String?

    /// One HTTP client for the process. A refused connection fails at once (the shared client
    /// would retry it until the request's deadline).
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The client for the configured API; fails when there is no token.
    static func configured() throws -> APIClient {
        let (url, token) = try Settings.resolved()
        guard let token else {
            throw CLIError("not logged in: run `pvdify login`, or set PVDIFY_TOKEN (and PVDIFY_API_URL)")
        }
        return APIClient(apiURL: url, token: token)
    }

    /// An answer: status, content type and body.
    struct Reply: Sendable {
        let status: Int
        let contentType: String
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue { (try? JSONValue.parse(json: body)) ?? .null }
    }

    /// `/api/v1` + `path`, with the query percent-encoded.
    func url(_ path: String, query: [(String, String)] = []) -> String {
        var components = URLComponents()
        components.path = "/api/v1" + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // URLComponents leaves `+` and `:` alone in queries; RFC 3339 offsets need `+` encoded.
        let suffix = (components.string ?? path).replacingOccurrences(of: "+", with: "%2B")
        return apiURL + suffix
    }

    /// Sends a request and returns a 2xx answer; any other answer becomes a `CLIError`.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil,
        body: Data? = nil, contentType: String? = nil, accept: String? = nil
    ) async throws -> Reply {
        let reply = try await exchange(method, path, query: query, json: json, body: body, contentType: contentType, accept: accept)
        guard (200..<300).contains(reply.status) else { throw Self.failure(reply) }
        return reply
    }

    /// Sends a request and returns whatever the API answered; only a transport failure throws.
    func exchange(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil,
        body: Data? = nil, contentType: String? = nil, accept: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "pvdify-cli/\(Pvdify.version)")
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: Output.json(json)))
        } else if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await APIClient.http.execute(request, timeout: .seconds(60))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw unreachable(error)
        }
        return Reply(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
            body: Data(bytes.readableBytesView))
    }

    func get(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try await send(.GET, path, query: query).json
    }

    @discardableResult
    func post(_ path: String, _ json: JSONValue? = nil) async throws -> JSONValue {
        try await send(.POST, path, json: json).json
    }

    @discardableResult
    func patch(_ path: String, _ json: JSONValue) async throws -> JSONValue {
        try await send(.PATCH, path, json: json).json
    }

    func delete(_ path: String) async throws {
        try await send(.DELETE, path)
    }

    /// Opens a streaming GET (Server-Sent Events) and returns the response with its body unread.
    func stream(_ path: String, query: [(String, String)]) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path, query: query))
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response: HTTPClientResponse
        do {
            response = try await APIClient.http.execute(request, timeout: .hours(24 * 365))
        } catch {
            throw unreachable(error)
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            throw Self.failure(Reply(status: Int(response.status.code), contentType: "", body: body))
        }
        return response
    }

    func unreachable(_ error: any Error) -> CLIError {
        let text = String(describing: error)
        let reason = text.lowercased().contains("refused") ? "connection refused" : text
        return CLIError("cannot reach the pvdify API at \(apiURL): \(reason) (is pvdifyd running? set PVDIFY_API_URL or run `pvdify login`)")
    }

    /// The API's error envelope as a `CLIError`: its message, with the field when the message lacks it.
    static func failure(_ reply: Reply) -> CLIError {
        let envelope = reply.json["error"]
        guard let message = envelope?["message"]?.stringValue else {
            var error = CLIError("the API answered \(reply.status): \(reply.text.prefix(300))")
            error.httpStatus = reply.status
            return error
        }
        var text = message
        if let field = envelope?["field"]?.stringValue, !field.isEmpty, !message.contains(field) {
            text = "\(field): \(message)"
        }
        if reply.status == 401 { text += " (run `pvdify login`, or set PVDIFY_TOKEN)" }
        let details = envelope?["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        var error = CLIError(details.count > 1 ? "\(details.count) problems" : text, details: details.count > 1 ? details : [])
        error.httpStatus = reply.status
        return error
    }
}

extension APIClient {
    /// A path segment, percent-encoded (app names and versions never need it; domains might).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }
}
