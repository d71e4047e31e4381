import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyAPI

@Suite struct AuthAPITests {
    @Test func everyEndpointButHealthNeedsAToken() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for endpoint in harness.routes.endpoints {
                let path = endpoint.path
                    .replacingOccurrences(of: "{name}", with: "myapp").replacingOccurrences(of: "{version}", with: "1")
                    .replacingOccurrences(of: "{key}", with: "K").replacingOccurrences(of: "{domain}", with: "a.com")
                    .replacingOccurrences(of: "{pr_number}", with: "1").replacingOccurrences(of: "{id}", with: "x")
                    .replacingOccurrences(of: "{source}", with: "platform")
                for auth in [APIClient.Auth.none, .bearer("pvd_wrong"), .header("Basic YWRtaW46YWRtaW4="), .header("Bearer")] {
                    let reply = try await api.send(endpoint.method, path, auth: auth)
                    if endpoint.path.hasSuffix("/webhook") {
                        // No token, but a signature: refused by the webhook itself, never asked for a token.
                        #expect(reply.status == .unauthorized && reply.errorCode == "unauthorized", "\(endpoint.method) \(path)")
                        #expect(reply.headers[.wwwAuthenticate] == nil)
                        #expect(reply.text.contains("X-Hub-Signature-256"))
                    } else if endpoint.path == "/api/v1/tokens/github-actions" {
                        // No token: the OIDC token in the body is the credential, and there is none here.
                        #expect(reply.status == .unprocessableContent && reply.errorCode == "invalid_request", "\(endpoint.method) \(path)")
                        #expect(reply.headers[.wwwAuthenticate] == nil)
                    } else if endpoint.scope == nil {
                        #expect(reply.status == .ok, "\(endpoint.method) \(path)")
                    } else {
                        #expect(reply.status == .unauthorized, "\(endpoint.method) \(path) \(auth)")
                        #expect(reply.errorCode == "unauthorized")
                        #expect(reply.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
            // Unknown routes too.
            #expect(try await api.get("/api/v1/nothing", auth: .none).status == .unauthorized)
        }
    }

    @Test func scopesNest() async throws {
        let harness = try await APIHarness.make()
        let reader = try await harness.token("reader", [.read])
        let deployer = try await harness.token("gh-actions", [.deploy])
        let writer = try await harness.token("writer", [.write])
        try await harness.run { api in
            try await api.createApp("myapp")
            #expect(try await api.get("/api/v1/apps/myapp", auth: .bearer(reader)).status == .ok)
            let denied = try await api.send(.post, "/api/v1/apps/myapp/releases", json: #"{"image":"reg.io/a:b"}"#, auth: .bearer(reader))
            #expect(denied.status == .forbidden)
            #expect(denied.errorCode == "forbidden")
            let deployed = try await api.send(.post, "/api/v1/apps/myapp/releases", json: #"{"image":"reg.io/a:b"}"#, auth: .bearer(deployer))
            #expect(deployed.status == .created)
            #expect(deployed.json["created_by"] == "gh-actions")
            #expect(try await api.send(.patch, "/api/v1/apps/myapp/config", json: #"{"vars":{"A":"1"}}"#, auth: .bearer(deployer)).status == .forbidden)
            #expect(try await api.send(.patch, "/api/v1/apps/myapp/config", json: #"{"vars":{"A":"1"}}"#, auth: .bearer(writer)).status == .ok)
            let rollback = try await api.send(.post, "/api/v1/apps/myapp/rollback", auth: .bearer(writer))
            #expect(rollback.status == .ok, "\(rollback.text)")  // the config change made release v2
            #expect(try await api.get("/api/v1/tokens", auth: .bearer(writer)).status == .forbidden)
            #expect(try await api.get("/api/v1/apps/myapp/config/versions", auth: .bearer(reader)).status == .ok)
            #expect(try await api.get("/api/v1/whoami", auth: .bearer(deployer)).json["scopes"] == ["deploy"])
        }
    }

    @Test func appLimitedTokens() async throws {
        let harness = try await APIHarness.make()
        let limited = try await harness.token("limited", [.write], apps: ["myapp"])
        try await harness.run { api in
            try await api.createApp("other")
            #expect(try await api.send(.post, "/api/v1/apps", json: #"{"name":"other2"}"#, auth: .bearer(limited)).status == .forbidden)
            #expect(try await api.send(.post, "/api/v1/apps", json: #"{"name":"myapp"}"#, auth: .bearer(limited)).status == .created)
            let list = try await api.get("/api/v1/apps", auth: .bearer(limited))
            #expect(list.json["apps"]?.arrayValue?.map { $0["name"] } == ["myapp"])
            #expect(try await api.get("/api/v1/apps/other", auth: .bearer(limited)).status == .forbidden)
            #expect(try await api.get("/api/v1/apps/other/config", auth: .bearer(limited)).status == .forbidden)
            #expect(try await api.get("/api/v1/apps/nonexistent", auth: .bearer(limited)).status == .forbidden)
            // Previews of a listed app are reachable.
            let preview = try await api.send(.post, "/api/v1/apps/myapp/previews", json: #"{"pr_number":4,"image":"reg.io/a:b"}"#, auth: .bearer(limited))
            #expect(preview.status == .created)
            #expect(try await api.get("/api/v1/apps/myapp-pr-4", auth: .bearer(limited)).status == .ok)
            #expect(try await api.get("/api/v1/apps/myapp-pr-x", auth: .bearer(limited)).status == .forbidden)
        }
    }

    @Test func tokensCreateListRevoke() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.post("/api/v1/tokens", #"{"name":"gh-actions","scopes":["deploy"],"apps":["myapp"]}"#)
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.json["token"]?.stringValue)
            #expect(secret.hasPrefix("pvd_"))
            #expect(created.json["scopes"] == ["deploy"])
            #expect(created.json["apps"] == ["myapp"])
            let id = try #require(created.json["id"]?.stringValue)

            let list = try await api.get("/api/v1/tokens")
            #expect(list.json["tokens"]?.arrayValue?.count == 2)
            #expect(!list.text.contains(secret))
            #expect(try await api.get("/api/v1/whoami", auth: .bearer(secret)).json["name"] == "gh-actions")

            #expect(try await api.post("/api/v1/tokens", #"{"name":"gh-actions","scopes":["read"]}"#).status == .conflict)
            #expect(try await api.post("/api/v1/tokens", #"{"name":"x","scopes":["root"]}"#).errorField == "scopes[0]")
            #expect(try await api.post("/api/v1/tokens", #"{"name":"x","scopes":[]}"#).errorField == "scopes")
            #expect(try await api.post("/api/v1/tokens", #"{"name":"bad name","scopes":["read"]}"#).errorField == "name")
            #expect(try await api.post("/api/v1/tokens", #"{"name":"x","scopes":["read"],"apps":["Bad"]}"#).errorField == "apps[0]")

            // A token cannot revoke itself (another admin token can).
            let own = try #require(try await api.get("/api/v1/tokens").json["tokens"]?.arrayValue?.first { $0["name"] == "admin" }?["id"]?.stringValue)
            #expect(try await api.delete("/api/v1/tokens/\(own)").status == .conflict)
            #expect(try await api.get("/api/v1/whoami").status == .ok)

            #expect(try await api.delete("/api/v1/tokens/\(id)").status == .noContent)
            #expect(try await api.get("/api/v1/whoami", auth: .bearer(secret)).status == .unauthorized)
            #expect(try await api.delete("/api/v1/tokens/\(id)").status == .notFound)
        }
    }

    /// Reads the SQLite database files; the PostgreSQL pass leaves it to the SQLite one, since the
    /// store code that hashes a token is the same for both.
    @Test(.disabled(if: StoreBackend.selected == .postgres, "reads the SQLite database files"))
    func tokensAreStoredHashed() async throws {
        let harness = try await APIHarness.make()
        let secret = try await harness.token("ci", [.read])
        try harness.store.close()
        let bytes = try Self.databaseBytes(harness.directory)
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(harness.adminToken.utf8)) == nil)
        await harness.remove()
    }

    static func databaseBytes(_ directory: URL) throws -> Data {
        var all = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: directory.appendingPathComponent("pvdify.sqlite\(suffix)").path) {
                all.append(data)
            }
        }
        return all
    }
}
