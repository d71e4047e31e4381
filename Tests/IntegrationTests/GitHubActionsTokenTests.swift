import Foundation
import Testing

/// `POST /tokens/github-actions` through a real pvdifyd whose OIDC issuer is the GitHub stand-in.
@Suite struct GitHubActionsTokenTests {
    /// A daemon trusting `github`, with app `web` linked to octo-org/octo-repo (in other letter
    /// case: GitHub compares repositories without case) and app `other` linked to nothing.
    static func start(_ github: FakeGitHubServer) async throws -> DaemonProcess {
        let daemon = DaemonProcess(arguments: ["--podman-socket", "off", "--github-oidc-issuer", github.issuer])
        try await daemon.start()
        let api = "\(daemon.baseURL)/api/v1"
        let admin = daemon.adminToken
        for name in ["web", "other"] {
            #expect(try await HTTP.request("POST", "\(api)/apps", token: admin, json: #"{"name":"\#(name)"}"#).status == 201)
        }
        let linked = try await HTTP.request("PATCH", "\(api)/apps/web", token: admin, json: #"{"github":{"repo":"Octo-Org/Octo-Repo"}}"#)
        #expect(linked.status == 200)
        #expect(linked.body.contains(#""repo":"Octo-Org\/Octo-Repo""#) || linked.body.contains(#""repo":"Octo-Org/Octo-Repo""#))
        return daemon
    }

    static func exchange(_ daemon: DaemonProcess, _ jwt: String, expiresIn: String? = nil) async throws -> HTTP.Reply {
        let lifetime = expiresIn.map { #","expires_in":\#($0)"# } ?? ""
        return try await HTTP.request("POST", "\(daemon.baseURL)/api/v1/tokens/github-actions", json: #"{"token":"\#(jwt)"\#(lifetime)}"#)
    }

    static func json(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }

    /// The error envelope's message, when the answer is one.
    static func message(_ reply: HTTP.Reply) -> String {
        ((json(reply.body)["error"] as? [String: Any])?["message"] as? String) ?? ""
    }

    @Test func aValidTokenGetsADeployTokenForItsRepositorysAppsOnly() async throws {
        let github = try await FakeGitHubServer.start()
        let daemon = try await Self.start(github)
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        let jwt = try await github.mint(claims: #"{"run_id":"4242","run_attempt":"2"}"#)
        let reply = try await Self.exchange(daemon, jwt)
        #expect(reply.status == 201, "\(reply.body)")
        let body = Self.json(reply.body)
        #expect(body["scopes"] as? [String] == ["deploy"])
        #expect(body["apps"] as? [String] == ["web"])
        let secret = try #require(body["token"] as? String)
        let expiry = try #require((body["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(expiry > Date() && expiry <= Date().addingTimeInterval(15 * 60 + 5))

        let deployed = try await HTTP.request("POST", "\(api)/apps/web/releases", token: secret, json: #"{"image":"reg.example.com/web:v2"}"#)
        #expect(deployed.status == 201, "\(deployed.body)")
        let elsewhere = try await HTTP.request("POST", "\(api)/apps/other/releases", token: secret, json: #"{"image":"reg.example.com/web:v2"}"#)
        #expect(elsewhere.status == 403)
        #expect(try await HTTP.request("PATCH", "\(api)/apps/web", token: secret, json: #"{"environment":"staging"}"#).status == 403)

        // The audit log names the repository and the run of the token made; the JWT is nowhere.
        let audit = try await HTTP.request("GET", "\(api)/audit", token: daemon.adminToken)
        #expect(audit.status == 200)
        #expect(audit.body.contains("octo-org/octo-repo#run-4242.2") || audit.body.contains(#"octo-org\/octo-repo#run-4242.2"#))
        #expect(!audit.body.contains(jwt))
        #expect(!daemon.log.contains(jwt))
        #expect(!daemon.log.contains(String(jwt.split(separator: ".")[2])))
        await github.stop()
    }

    @Test func everyRefusalIs401WithItsReason() async throws {
        let github = try await FakeGitHubServer.start()
        let daemon = try await Self.start(github)
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: daemon.adminToken, json: #"{"name":"prod"}"#).status == 201)
        let conditions = #"{"github":{"repo":"octo-org/guarded","ref":"refs/heads/main","environment":"production"}}"#
        #expect(try await HTTP.request("PATCH", "\(api)/apps/prod", token: daemon.adminToken, json: conditions).status == 200)
        let now = Int(Date().timeIntervalSince1970)
        let cases: [(String, String, String?, String)] = [
            (#"{"aud":"sigstore"}"#, "current", nil, "wrong audience"),
            (#"{"exp":\#(now - 600),"iat":\#(now - 900),"nbf":\#(now - 900)}"#, "current", nil, "has expired"),
            (#"{"nbf":\#(now + 600),"iat":\#(now + 600),"exp":\#(now + 900)}"#, "current", nil, "not valid yet"),
            ("{}", "foreign", nil, "bad signature"),
            ("{}", "current", "no-such-key", "unknown signing key"),
            (#"{"iss":"https://token.actions.example.com"}"#, "current", nil, "wrong issuer"),
            (#"{"repository":"someone/else"}"#, "current", nil, "unknown repository"),
            (#"{"repository":"octo-org/guarded","ref":"refs/heads/dev","environment":"production"}"#, "current", nil, "condition not met"),
            (#"{"repository":"octo-org/guarded","ref":"refs/heads/main","environment":"staging"}"#, "current", nil, "condition not met"),
            (#"{"repository":"octo-org/guarded","ref":"refs/heads/main"}"#, "current", nil, "condition not met"),
        ]
        for (claims, signer, kid, reason) in cases {
            let jwt = try await github.mint(claims: claims, signer: signer, kid: kid)
            let reply = try await Self.exchange(daemon, jwt)
            #expect(reply.status == 401, "\(claims): \(reply.body)")
            #expect((Self.json(reply.body)["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            #expect(Self.message(reply).contains(reason), "\(claims): \(reply.body)")
        }
        // Not a JWT at all, and a JWT signed with `none`, are refused too.
        #expect(try await Self.exchange(daemon, "not-a-jwt").status == 401)
        let unsigned = "eyJhbGciOiJub25lIn0.eyJyZXBvc2l0b3J5Ijoib2N0by1vcmcvb2N0by1yZXBvIn0."
        #expect(try await Self.exchange(daemon, unsigned).status == 401)
        // The conditions met: a token for that app only.
        let met = try await github.mint(claims: #"{"repository":"octo-org/guarded","ref":"refs/heads/main","environment":"production"}"#)
        let granted = try await Self.exchange(daemon, met)
        #expect(granted.status == 201, "\(granted.body)")
        #expect(Self.json(granted.body)["apps"] as? [String] == ["prod"])
        // A lifetime over an hour is refused before anything else.
        #expect(try await Self.exchange(daemon, met, expiresIn: "7200").status == 422)
        #expect(!daemon.log.contains(met))
        await github.stop()
    }

    @Test func aRotatedKeyIsFetchedOnItsFirstUse() async throws {
        let github = try await FakeGitHubServer.start()
        let daemon = try await Self.start(github)
        defer { daemon.cleanUp() }
        let before = try await github.mint()
        #expect(try await Self.exchange(daemon, before).status == 201)
        try await github.rotate()
        // The new key id is unknown to pvdify's cache: it fetches the JWKS again (at most every
        // couple of seconds), so the first try may come too soon after the last fetch.
        let after = try await github.mint()
        var status: UInt = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            status = try await Self.exchange(daemon, after).status
            if status == 201 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(status == 201)
        // The old key left the JWKS: its tokens are now refused.
        let old = try await Self.exchange(daemon, before)
        #expect(old.status == 401)
        #expect(Self.message(old).contains("unknown signing key"))
        await github.stop()
    }

    @Test func theDeployTokenExpires() async throws {
        let github = try await FakeGitHubServer.start()
        let daemon = try await Self.start(github)
        defer { daemon.cleanUp() }
        let reply = try await Self.exchange(daemon, try await github.mint(), expiresIn: "2")
        #expect(reply.status == 201)
        let secret = try #require(Self.json(reply.body)["token"] as? String)
        let whoami = "\(daemon.baseURL)/api/v1/whoami"
        #expect(try await HTTP.request("GET", whoami, token: secret).status == 200)
        var status: UInt = 200
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, status == 200 {
            try await Task.sleep(for: .milliseconds(250))
            status = try await HTTP.request("GET", whoami, token: secret).status
        }
        #expect(status == 401)
        await github.stop()
    }

    @Test func anIssuerOutOfReachIs503NotA500() async throws {
        let github = try await FakeGitHubServer.start()
        let daemon = try await Self.start(github)
        defer { daemon.cleanUp() }
        let jwt = try await github.mint()
        try await github.fail(status: 500)
        let failing = try await Self.exchange(daemon, jwt)
        #expect(failing.status == 503, "\(failing.body)")
        #expect((Self.json(failing.body)["error"] as? [String: Any])?["code"] as? String == "unavailable")
        // Slower than pvdify waits (5 s).
        #expect(try await HTTP.request("DELETE", "\(github.adminURL)/faults").status == 200)
        try await github.fail(status: nil, delayMilliseconds: 8000, count: 1)
        #expect(try await Self.exchange(daemon, jwt).status == 503)
        await github.stop()
        // Down altogether.
        #expect(try await Self.exchange(daemon, jwt).status == 503)
        #expect(!daemon.log.contains(jwt))
    }
}
