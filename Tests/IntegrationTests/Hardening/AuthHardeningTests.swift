import Foundation
import PvdifyModel
import Synchronization
import Testing

/// Defects an attacker found in tokens, app limits, deploy limits, log streams and auditing,
/// each reproduced through the real pvdifyd binary.
@Suite(.serialized) struct AuthHardeningTests {
    static let image = "127.0.0.1:5000/pvdify-test:v1"

    static func document(_ name: String, image: String = image) -> String {
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"\#(name)"},"spec":{"image":"\#(image)"}}"#
    }

    // MARK: 1. Revocation while in use

    @Test func aTokenRevokedWhileInUseNeverWorksAgain() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"load"}"#).status == 201)
            var tokens: [(id: String, secret: String)] = []
            for index in 0..<150 { tokens.append(try await auth.createToken("busy-\(index)", scopes: ["read"])) }
            // Other writes keep the store's writer busy, so each revocation waits in line while
            // the token is being used, as on a loaded server.
            let load = StopFlag()
            let writers = (0..<6).map { worker in
                Task {
                    var round = 0
                    while !load.isSet {
                        round += 1
                        let value = String(repeating: "\(worker)\(round % 10)", count: 8_000)
                        _ = try? await BusyClient.status(
                            "PATCH", auth.api + "/apps/load/config", token: auth.admin, json: #"{"vars":{"V\#(worker)":"\#(value)"}}"#)
                    }
                }
            }
            // As the attacker did: each token used by 8 concurrent clients while it is revoked.
            for (index, token) in tokens.enumerated() {
                try await Self.useWhileRevoking(auth, token, offset: .milliseconds(index % 10))
            }
            load.set()
            for writer in writers { await writer.value }
            // For a while afterwards, every revoked token is refused, every time.
            var stillWorking: Set<String> = []
            for _ in 0..<3 {
                for token in tokens {
                    let reply = try await HTTP.request("GET", auth.api + "/whoami", token: token.secret)
                    if reply.status != 401 { stillWorking.insert(token.id) }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(stillWorking.isEmpty, "\(stillWorking.count) revoked tokens still accepted: \(stillWorking.sorted())")
            let listed = try await auth.send("GET", "/tokens")
            let ids = Set((listed.json["tokens"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            #expect(ids.isDisjoint(with: tokens.map(\.id)))
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    /// Sends the revocation, and `offset` later starts 8 clients using the token until just after it answered.
    static func useWhileRevoking(_ auth: AuthDaemon, _ token: (id: String, secret: String), offset: Duration) async throws {
        let stop = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { users in
            users.addTask {
                let status = try await BusyClient.status("DELETE", auth.api + "/tokens/\(token.id)", token: auth.admin)
                #expect(status == 204)
                try await Task.sleep(for: .milliseconds(20))
                stop.set()
            }
            try await Task.sleep(for: offset)
            for _ in 0..<8 {
                users.addTask {
                    while !stop.isSet {
                        _ = try? await BusyClient.status("GET", auth.api + "/whoami", token: token.secret)
                    }
                }
            }
            try await users.waitForAll()
        }
    }

    // MARK: 2. App limits by name prefix

    @Test func anAppLimitedTokenDoesNotReachLookalikePreviews() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"alpha"}"#).status == 201)
            // An app an admin made that only has a preview's name.
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"alpha-pr-7"}"#).status == 201)
            let limited = try await auth.createToken("alpha-ci", scopes: ["write"], apps: ["alpha"]).secret

            #expect(try await auth.send("GET", "/apps/alpha-pr-7", token: limited).status == 403)
            #expect(try await auth.send("GET", "/apps/alpha-pr-7/config", token: limited).status == 403)
            #expect(try await auth.send("PATCH", "/apps/alpha-pr-7/config", token: limited, json: #"{"vars":{"X":"1"}}"#).status == 403)
            #expect(try await auth.send("POST", "/apps", token: limited, json: #"{"name":"alpha-pr-8"}"#).status == 403)
            #expect(try await auth.send("POST", "/apply", token: limited, json: Self.document("alpha-pr-7")).status == 403)
            #expect(try await auth.send("GET", "/apps/alpha-pr-7/logs", token: limited).status == 403)
            // An app that does not exist is refused the same way, so its absence does not show.
            #expect(try await auth.send("GET", "/apps/alpha-pr-9", token: limited).status == 403)

            // A real preview of alpha is reached.
            let preview = try await auth.send(
                "POST", "/apps/alpha/previews", token: limited, json: #"{"pr_number":3,"image":"\#(Self.image)"}"#)
            #expect(preview.status == 201)
            #expect(try await auth.send("GET", "/apps/alpha-pr-3", token: limited).status == 200)
            #expect(try await auth.send("POST", "/apps/alpha-pr-3/ps/restart", token: limited, json: "{}").status == 200)
            // Reached, but a preview is derived from its parent: its config is not written directly.
            #expect(try await auth.send("PATCH", "/apps/alpha-pr-3/config", token: limited, json: #"{"vars":{"X":"1"}}"#).status == 409)

            let names = try await auth.send("GET", "/apps", token: limited).json["apps"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["alpha", "alpha-pr-3"])
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    // MARK: 3. App-limited admin tokens

    @Test func adminTokensCannotBeLimitedToApps() async throws {
        let auth = try await AuthDaemon.start()
        do {
            let refused = try await auth.send("POST", "/tokens", json: #"{"name":"sneaky","scopes":["admin"],"apps":["alpha"]}"#)
            #expect(refused.status == 422)
            #expect(refused.json["error"]?["field"]?.stringValue == "apps")
            let writer = try await auth.createToken("alpha-writer", scopes: ["write"], apps: ["alpha"]).secret
            #expect(try await auth.send("GET", "/tokens", token: writer).status == 403)
            #expect(try await auth.send("POST", "/tokens", token: writer, json: #"{"name":"x","scopes":["admin"]}"#).status == 403)
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    @Test func existingAppLimitedAdminTokensBecomeWriteTokens() async throws {
        let auth = try await AuthDaemon.start()
        do {
            try await auth.daemon.stop()
            // A store from before: an admin token limited to an app, and the migration not yet run.
            let database = auth.daemon.dataDirectory.appendingPathComponent("pvdify.sqlite").path
            try Self.sqlite(database, """
                INSERT INTO tokens (id, name, hash, scopes, apps, created_at)
                    VALUES ('tok_0123456789abcdef', 'old-admin', randomblob(32), '["admin"]', '["alpha"]', 1700000000);
                DELETE FROM grdb_migrations WHERE identifier = 'tokens-no-app-limited-admin';
                """)
            try await auth.daemon.start()
            let tokens = try await auth.send("GET", "/tokens").json["tokens"]?.arrayValue ?? []
            let old = tokens.first { $0["name"]?.stringValue == "old-admin" }
            #expect(old?["scopes"] == ["write"])
            #expect(old?["apps"] == ["alpha"])
            #expect(tokens.first { $0["name"]?.stringValue == "admin" }?["scopes"] == ["admin"])
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    static func sqlite(_ database: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DaemonError(message: "sqlite3 failed") }
    }

    // MARK: 4. Revocation ends log streams

    @Test func revokingATokenEndsItsLogStreams() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"web"}"#).status == 201)
            let token = try await auth.createToken("viewer", scopes: ["read"])
            let stream = try RawHTTPStream(port: auth.daemon.port, path: "/api/v1/apps/web/logs?follow=true", token: token.secret)
            defer { stream.close() }
            #expect(try await stream.wait(timeout: .seconds(10)) { $0.received.contains(": connected") })
            #expect(stream.status == 200)
            #expect(try await auth.send("DELETE", "/tokens/\(token.id)").status == 204)
            let revokedAt = ContinuousClock.now
            #expect(try await stream.wait(timeout: .seconds(10)) { $0.ended }, "the stream went on after the revocation")
            print("log stream ended \(ContinuousClock.now - revokedAt) after the revocation")
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    // MARK: 5. Every release counts against the deploy limit

    @Test func everyWayToMakeAReleaseCountsAsADeploy() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"draft"}"#).status == 201)
            // Config changes on an app without an image make no release, so they spend no deploy.
            for index in 1...12 {
                #expect(try await auth.send("PATCH", "/apps/draft/config", json: #"{"vars":{"N":"\#(index)"}}"#).status == 200)
            }
            var made = 0
            #expect(try await auth.send("POST", "/apps/shop/releases", json: #"{"image":"\#(Self.image)"}"#).status == 201)
            made += 1
            // Each of these makes a release; together with the first they reach the limit of 10.
            let paths: [(String, String, String?)] = [
                ("PATCH", "/apps/shop/config", #"{"vars":{"A":"1"}}"#),
                ("POST", "/apps/shop/config/secrets", #"{"name":"TOKEN","value":"v1"}"#),
                ("DELETE", "/apps/shop/config/A", nil),
                ("PUT", "/apps/shop/manifest", Self.document("shop", image: "127.0.0.1:5000/pvdify-test:v2")),
                ("POST", "/apply", Self.document("shop", image: "127.0.0.1:5000/pvdify-test:v3")),
                ("PATCH", "/apps/shop/config", #"{"vars":{"B":"1"}}"#),
                ("PATCH", "/apps/shop/config", #"{"vars":{"C":"1"}}"#),
                ("PATCH", "/apps/shop/config", #"{"vars":{"D":"1"}}"#),
                ("PATCH", "/apps/shop/config", #"{"vars":{"E":"1"}}"#),
            ]
            for (method, path, json) in paths {
                let reply = try await auth.send(method, path, json: json)
                #expect((200..<300).contains(reply.status), "\(method) \(path): \(reply.status) \(reply.json)")
                made += 1
            }
            #expect(made == 10)
            // Now every way to make a release is refused, each with Retry-After.
            let refused: [(String, String, String?)] = [
                ("PATCH", "/apps/shop/config", #"{"vars":{"F":"1"}}"#),
                ("POST", "/apps/shop/config/secrets", #"{"name":"OTHER","value":"v"}"#),
                ("DELETE", "/apps/shop/config/B", nil),
                ("PUT", "/apps/shop/manifest", Self.document("shop", image: "127.0.0.1:5000/pvdify-test:v4")),
                ("POST", "/apply", Self.document("shop", image: "127.0.0.1:5000/pvdify-test:v5")),
                ("POST", "/apps/shop/releases", #"{"image":"\#(Self.image)"}"#),
                ("POST", "/apps/shop/rollback", nil),
            ]
            for (method, path, json) in refused {
                let reply = try await HTTP.request(method, auth.api + path, token: auth.admin, json: json)
                #expect(reply.status == 429, "\(method) \(path) answered \(reply.status)")
                #expect(reply.headers.contains { $0.0.lowercased() == "retry-after" })
            }
            let releases = try await auth.send("GET", "/apps/shop/releases").json["releases"]?.arrayValue ?? []
            #expect(releases.count == 10)
            // Reads and changes that can make no release still work.
            #expect(try await auth.send("GET", "/apps/shop").status == 200)
            #expect(try await auth.send("PATCH", "/apps/draft", json: #"{"environment":"staging"}"#).status == 200)
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    // MARK: 6. Log stream slots are freed when clients go

    @Test func logStreamSlotsAreFreedSoonAfterClientsGo() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"web"}"#).status == 201)
            let token = try await auth.createToken("tail", scopes: ["read"]).secret
            let path = "/api/v1/apps/web/logs?follow=true"
            var streams: [RawHTTPStream] = []
            for _ in 0..<10 {
                let stream = try RawHTTPStream(port: auth.daemon.port, path: path, token: token)
                #expect(try await stream.wait(timeout: .seconds(10)) { $0.received.contains(": connected") })
                streams.append(stream)
            }
            let eleventh = try RawHTTPStream(port: auth.daemon.port, path: path, token: token)
            #expect(try await eleventh.wait(timeout: .seconds(10)) { $0.status != nil })
            #expect(eleventh.status == 429)
            eleventh.close()

            for stream in streams { stream.close() }
            let dropped = ContinuousClock.now
            var opened = false
            while !opened && ContinuousClock.now - dropped < .seconds(10) {
                let next = try RawHTTPStream(port: auth.daemon.port, path: path, token: token)
                _ = try await next.wait(timeout: .seconds(5)) { $0.status != nil }
                opened = next.status == 200
                next.close()
                if !opened { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(opened, "no stream slot came free within 10 s of the clients going")
            print("a log stream slot was free again \(ContinuousClock.now - dropped) after 10 clients went")
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    // MARK: 7. Token expiry

    @Test func tokensExpire() async throws {
        let auth = try await AuthDaemon.start()
        do {
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"web"}"#).status == 201)
            let both = #"{"name":"x","scopes":["read"],"expires_in":"1h","expires_at":"2099-01-01T00:00:00Z"}"#
            #expect(try await auth.send("POST", "/tokens", json: both).json["error"]?["field"] == "expires_at")
            #expect(try await auth.send("POST", "/tokens", json: #"{"name":"x","scopes":["read"],"expires_in":"soon"}"#).status == 422)
            #expect(try await auth.send("POST", "/tokens", json: #"{"name":"x","scopes":["read"],"expires_at":"2001-01-01T00:00:00Z"}"#).status == 422)

            let lasting = try await auth.send("POST", "/tokens", json: #"{"name":"month","scopes":["read"],"expires_in":"30d"}"#)
            let expiresAt = try #require(lasting.json["expires_at"]?.stringValue.flatMap(Timestamps.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 30 * 86_400) < 60)
            let forever = try await auth.createToken("forever", scopes: ["read"])
            let listed = try await auth.send("GET", "/tokens").json["tokens"]?.arrayValue ?? []
            #expect(listed.first { $0["id"]?.stringValue == forever.id }?["expires_at"] == .null)

            let brief = try await auth.createToken("brief", scopes: ["read"], extra: #","expires_in":"3s""#)
            #expect(try await auth.send("GET", "/whoami", token: brief.secret).status == 200)
            let stream = try RawHTTPStream(port: auth.daemon.port, path: "/api/v1/apps/web/logs?follow=true", token: brief.secret)
            defer { stream.close() }
            #expect(try await stream.wait(timeout: .seconds(10)) { $0.received.contains(": connected") })
            #expect(try await stream.wait(timeout: .seconds(10)) { $0.ended }, "the stream outlived its token")
            var refused = false
            for _ in 0..<100 where !refused {
                refused = try await auth.send("GET", "/whoami", token: brief.secret).status == 401
                if !refused { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(refused)
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }

    // MARK: 8. Audit log

    @Test func mutatingCallsAndRefusalsAreAudited() async throws {
        let auth = try await AuthDaemon.start()
        do {
            let secretValue = "sk_live_do_not_log_me"
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            #expect(try await auth.send("PATCH", "/apps/shop/config", json: #"{"vars":{"MODE":"fast"}}"#).status == 200)
            #expect(try await auth.send("POST", "/apps/shop/config/secrets", json: #"{"name":"KEY","value":"\#(secretValue)"}"#).status == 201)
            #expect(try await auth.send("DELETE", "/apps/shop/config/NOPE").status == 404)
            let reader = try await auth.createToken("reader", scopes: ["read"])
            #expect(try await auth.send("PATCH", "/apps/shop/config", token: reader.secret, json: #"{"vars":{"X":"1"}}"#).status == 403)
            #expect(try await auth.send("GET", "/apps/shop", token: "pvd_wrong").status == 401)
            #expect(try await auth.send("GET", "/apps/shop", token: reader.secret).status == 200)

            let reply = try await HTTP.request("GET", auth.api + "/audit?app=shop", token: auth.admin)
            #expect(reply.status == 200)
            #expect(!reply.body.contains(secretValue))
            #expect(!reply.body.contains(auth.admin) && !reply.body.contains(reader.secret))
            let entries = try JSONValue.parse(json: Data(reply.body.utf8))["entries"]?.arrayValue ?? []
            let summary = entries.map { "\($0["method"]?.stringValue ?? "") \($0["route"]?.stringValue ?? "-") \($0["status"]?.intValue ?? 0)" }
            #expect(summary == [
                "GET /api/v1/apps/{name} 401",
                "PATCH /api/v1/apps/{name}/config 403",
                "DELETE /api/v1/apps/{name}/config/{key} 404",
                "POST /api/v1/apps/{name}/config/secrets 201",
                "PATCH /api/v1/apps/{name}/config 200",
                "POST /api/v1/apps 201",
            ], "\(summary)")
            let denied = try #require(entries.first { $0["status"]?.intValue == 403 })
            #expect(denied["token_name"] == "reader")
            #expect(denied["token_id"]?.stringValue == reader.id)
            #expect(denied["source"] == "127.0.0.1")
            #expect(denied["app"] == "shop")
            #expect(denied["outcome"] == "denied")
            #expect(entries.first?["token_id"] == .null)

            let byToken = try await auth.send("GET", "/audit?token=reader").json["entries"]?.arrayValue ?? []
            #expect(byToken.count == 1)
            #expect(try await auth.send("GET", "/audit?limit=2").json["entries"]?.arrayValue?.count == 2)
            #expect(try await auth.send("GET", "/audit?limit=1001").status == 422)
            #expect(try await auth.send("GET", "/audit", token: reader.secret).status == 403)

            // Entries survive a clean shutdown, even those recorded just before it.
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"late"}"#).status == 201)
            try await auth.daemon.stop()
            try await auth.daemon.start()
            let late = try await auth.send("GET", "/audit?app=late").json["entries"]?.arrayValue ?? []
            #expect(late.count == 1)
            #expect(late.first?["route"] == "/api/v1/apps")
        } catch {
            Issue.record(error)
        }
        await auth.stop()
    }
}
