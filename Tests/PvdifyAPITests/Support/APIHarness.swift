import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PvdifyAPI
import PvdifyModel
import PvdifyStore
import PvdifyTestSupport
import Testing

/// A fresh store in a temporary directory and the API router built exactly as pvdifyd builds it.
/// The store is SQLite, or with `PVDIFY_TEST_STORE=postgres` a PostgreSQL database of its own
/// (hack/test.sh runs these suites on both).
struct APIHarness: @unchecked Sendable {
    let directory: URL
    let backend: StoreBackend
    let store: Store
    let logs: AppLogs
    let settings: APISettings
    let router: Router<APIRequestContext>
    let routes: RouteTable
    let adminToken: String

    static func make(_ settings: APISettings = APISettings(requestsPerMinute: 10_000, deploysPerMinute: 10_000)) async throws -> APIHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-api-\(UUID().uuidString)")
        let backend = StoreBackend.selected
        let store = try await backend.openStore(directory: directory)
        let secret: String
        do {
            secret = try await store.createToken(name: "admin", scopes: [.admin], apps: nil).secret
        } catch {
            try? store.close()
            try? await backend.removeStore(directory: directory)
            throw error
        }
        let logs = AppLogs()
        let (router, routes) = PvdifyAPIServer.buildRouter(store: store, logs: logs, settings: settings)
        return APIHarness(
            directory: directory, backend: backend, store: store, logs: logs, settings: settings, router: router, routes: routes,
            adminToken: secret)
    }

    /// Runs `body` against the in-process router, then removes the store.
    func run(_ body: @escaping @Sendable (APIClient) async throws -> Void) async throws {
        let token = adminToken
        let app = Application(router: router)
        do {
            try await app.test(.router) { client in
                try await body(APIClient(client: client, token: token))
            }
        } catch {
            await remove()
            throw error
        }
        await remove()
    }

    /// Closes the store and removes its directory (and its PostgreSQL database).
    func remove() async {
        try? store.close()
        try? await backend.removeStore(directory: directory)
    }

    /// A token with the given scopes (and apps).
    func token(_ name: String, _ scopes: [Scope], apps: [String]? = nil) async throws -> String {
        try await store.createToken(name: name, scopes: scopes, apps: apps).secret
    }
}

/// Sends API requests with a token and decodes the JSON answers.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let token: String

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String
        var json: JSONValue { (try? JSONValue.parse(json: Data(text.utf8))) ?? .null }
        var errorCode: String? { json["error"]?["code"]?.stringValue }
        var errorField: String? { json["error"]?["field"]?.stringValue }
    }

    enum Auth: Sendable {
        case standard, none, bearer(String), header(String)
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, json: String? = nil, body: String? = nil,
        contentType: String? = nil, auth: Auth = .standard, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        switch auth {
        case .standard: headers[.authorization] = "Bearer \(token)"
        case .none: break
        case .bearer(let other): headers[.authorization] = "Bearer \(other)"
        case .header(let raw): headers[.authorization] = raw
        }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = contentType ?? "application/json"
            buffer = ByteBuffer(string: json)
        } else if let body {
            if let contentType { headers[.contentType] = contentType }
            buffer = ByteBuffer(string: body)
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: buffer)
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ path: String, auth: Auth = .standard) async throws -> Reply { try await send(.get, path, auth: auth) }
    func post(_ path: String, _ json: String? = nil, auth: Auth = .standard) async throws -> Reply {
        try await send(.post, path, json: json, auth: auth)
    }
    func patch(_ path: String, _ json: String, auth: Auth = .standard) async throws -> Reply {
        try await send(.patch, path, json: json, auth: auth)
    }
    func delete(_ path: String, auth: Auth = .standard) async throws -> Reply { try await send(.delete, path, auth: auth) }

    /// Creates an app and checks it worked.
    @discardableResult
    func createApp(_ name: String, environment: String? = nil) async throws -> Reply {
        let body = environment.map { #"{"name":"\#(name)","environment":"\#($0)"}"# } ?? #"{"name":"\#(name)"}"#
        let reply = try await post("/api/v1/apps", body)
        #expect(reply.status == .created, "creating \(name): \(reply.text)")
        return reply
    }
}
