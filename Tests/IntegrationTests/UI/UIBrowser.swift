import AsyncHTTPClient
import Foundation
import NIOCore

/// A stand-in for a browser on the Admin UI: keeps the session cookie, never follows redirects
/// (tests look at them), and sends forms as browsers do.
final class UIBrowser: @unchecked Sendable {
    let baseURL: String
    /// The `pvdify_session` cookie as the server last set it.
    var session: String?

    /// One client for every test, with redirects left to the tests.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    init(baseURL: String) { self.baseURL = baseURL }

    struct Page {
        let status: UInt
        let body: String
        let headers: [(String, String)]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

        /// The session's CSRF token, as the page's forms carry it.
        var csrf: String? {
            guard let range = body.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
            return String(body[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Page {
        try await send("GET", path, form: nil, headers: headers)
    }

    func post(_ path: String, _ form: [(String, String)], headers: [(String, String)] = []) async throws -> Page {
        try await send("POST", path, form: form, headers: headers)
    }

    /// Signs in with a token through the login form.
    @discardableResult
    func signIn(_ token: String) async throws -> Page {
        try await post("/ui/login", [("token", token)])
    }

    private func send(_ method: String, _ path: String, form: [(String, String)]?, headers: [(String, String)]) async throws -> Page {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let session { request.headers.add(name: "Cookie", value: "pvdify_session=\(session)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 8 << 20)
        let page = Page(status: response.status.code, body: String(buffer: body), headers: response.headers.map { ($0.name, $0.value) })
        if let cookie = page.header("Set-Cookie"), cookie.hasPrefix("pvdify_session=") {
            let value = cookie.dropFirst("pvdify_session=".count).prefix { $0 != ";" }
            session = value.isEmpty ? nil : String(value)
        }
        return page
    }

    static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { name, value in
            let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
            return encode(name) + "=" + encode(value)
        }.joined(separator: "&")
    }
}
