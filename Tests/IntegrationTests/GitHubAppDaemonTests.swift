import CryptoExtras
import Foundation
import Testing

/// Deployment statuses through a real pvdifyd (no Podman) and the real GitHub stand-in: the App's
/// key from `--github-app-key-file`, the API at `--github-api-url`, signed pull-request webhooks.
@Suite struct GitHubAppDaemonTests {
    static let appID = 4242
    static let installation = 77

    static func pullRequest(_ action: String, number: Int, sha: String) -> String {
        #"{"action":"\#(action)","number":\#(number),"installation":{"id":\#(installation)},"repository":{"full_name":"octo-org/shop"},"pull_request":{"number":\#(number),"head":{"sha":"\#(sha)","ref":"feature","repo":{"full_name":"octo-org/shop"}},"base":{"ref":"main","repo":{"full_name":"octo-org/shop"}}}}"#
    }

    static func sha(_ n: Int) -> String { String(repeating: String(n % 10), count: 40) }

    /// The `github` object of PR `number` in the parent's previews list.
    static func github(_ daemon: DaemonProcess, number: Int) async throws -> [String: Any]? {
        let listed = try await HTTP.request("GET", "\(daemon.baseURL)/api/v1/apps/shop/previews", token: daemon.adminToken)
        let object = try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [String: Any]
        let previews = object?["previews"] as? [[String: Any]] ?? []
        return previews.first { $0["pr_number"] as? Int == number }?["github"] as? [String: Any]
    }

    /// Polls `check` for up to `seconds`; true once it holds.
    static func eventually(_ seconds: Double = 20, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await check()
    }

    /// The states posted to the deployment of `sha`.
    static func states(_ fake: FakeGitHubServer, sha: String) async throws -> [String] {
        let deployment = try await fake.deployments().deployments.first { $0["ref"] as? String == sha }
        return (deployment?["statuses"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
    }

    func startDaemon(fake: FakeGitHubServer, app: Bool) async throws -> (DaemonProcess, [URL]) {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("gh-secret-\(UUID().uuidString)")
        try Data((GitHubWebhookDaemonTests.secret + "\n").utf8).write(to: secretFile)
        // The tests poll the previews list more often than the API's 100 requests a minute allow.
        var arguments = [
            "--podman-socket", "off", "--rate-limit", "100000", "--github-webhook-secret-file", secretFile.path,
            "--github-api-url", fake.issuer,
        ]
        var files = [secretFile]
        if app {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            try await fake.registerApp(id: Self.appID, publicKeyPEM: key.publicKey.pemRepresentation)
            let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("gh-app-key-\(UUID().uuidString).pem")
            try Data(key.pemRepresentation.utf8).write(to: keyFile)
            files.append(keyFile)
            arguments += ["--github-app-id", "\(Self.appID)", "--github-app-key-file", keyFile.path]
        }
        let daemon = DaemonProcess(arguments: arguments)
        try await daemon.start()
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: daemon.adminToken, json: #"{"name":"shop"}"#).status == 201)
        let patch = #"{"github":{"repo":"octo-org/shop"},"previews":{"image":"127.0.0.1:5000/shop:pr-{number}"}}"#
        #expect(try await HTTP.request("PATCH", "\(api)/apps/shop", token: daemon.adminToken, json: patch).status == 200)
        return (daemon, files)
    }

    @Test func previewsShowOnGitHubAsDeploymentsAndFailuresRecover() async throws {
        let fake = try await FakeGitHubServer.start()
        let (daemon, files) = try await startDaemon(fake: fake, app: true)
        defer {
            daemon.cleanUp()
            for file in files { try? FileManager.default.removeItem(at: file) }
        }
        let integration = try await HTTP.request("GET", "\(daemon.baseURL)/api/v1/integrations/github", token: daemon.adminToken)
        #expect(integration.body.contains(#""app_id":4242"#) && integration.body.contains(#""key_stored":true"#), "\(integration.body)")
        #expect(integration.body.contains(#""api_url":"\#(fake.issuer)""#), "\(integration.body)")
        #expect(!integration.body.contains("PRIVATE KEY") && !daemon.log.contains("PRIVATE KEY"))

        // opened: a deployment of the head SHA on pr-12, in progress (no Podman: it never gets further).
        let opened = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("opened", number: 12, sha: Self.sha(1)))
        #expect(opened.status == 200, "\(opened.body)")
        #expect(try await Self.eventually { try await Self.states(fake, sha: Self.sha(1)) == ["in_progress"] })
        let first = try #require(try await fake.deployments().deployments.first)
        #expect(first["environment"] as? String == "pr-12" && first["repo"] as? String == "octo-org/shop")
        #expect(first["transient_environment"] as? Bool == true && first["production_environment"] as? Bool == false)
        #expect(try await Self.eventually { try await Self.github(daemon, number: 12)?["state"] as? String == "in_progress" })
        #expect(try await Self.github(daemon, number: 12)?["deployment_id"] as? Int == first["id"] as? Int)

        // A second preview: the installation token is reused.
        _ = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("opened", number: 13, sha: Self.sha(2)))
        #expect(try await Self.eventually { try await Self.states(fake, sha: Self.sha(2)) == ["in_progress"] })
        #expect(try await fake.hits()["/app/installations/\(Self.installation)/access_tokens"] == 1)
        #expect(try await fake.deployments().tokensIssued == 1)

        // GitHub failing (500): the preview is made all the same, the error shows, then it recovers.
        try await fake.fail(status: 500, count: 3, pathContains: "/deployments")
        let failing = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("opened", number: 14, sha: Self.sha(3)))
        #expect(failing.status == 200, "\(failing.body)")
        #expect(try await HTTP.request("GET", "\(daemon.baseURL)/api/v1/apps/shop-pr-14", token: daemon.adminToken).status == 200)
        #expect(try await Self.eventually {
            let github = try await Self.github(daemon, number: 14)
            return (github?["error"] as? String)?.contains("HTTP 500") == true && (github?["attempts"] as? Int ?? 0) >= 1
                && github?["next_attempt_at"] as? String != nil
        })
        #expect(try await Self.eventually(30) { try await Self.github(daemon, number: 14)?["state"] as? String == "in_progress" })
        let recovered = try #require(try await Self.github(daemon, number: 14))
        #expect(recovered["error"] is NSNull && recovered["attempts"] as? Int == 0)
        #expect(try await Self.states(fake, sha: Self.sha(3)) == ["in_progress"])

        // Tokens refused (401): dropped and fetched again; shown while it lasts, then recovered.
        try await fake.fail(status: 401, count: 5, pathContains: "/deployments")
        _ = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("opened", number: 15, sha: Self.sha(4)))
        #expect(try await Self.eventually { (try await Self.github(daemon, number: 15)?["error"] as? String)?.contains("HTTP 401") == true })
        #expect(try await Self.eventually(30) { try await Self.github(daemon, number: 15)?["state"] as? String == "in_progress" })
        #expect(try await fake.deployments().tokensIssued > 1)

        // closed: inactive, and the preview's row is gone.
        let closed = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("closed", number: 12, sha: Self.sha(1)))
        #expect(closed.status == 200, "\(closed.body)")
        #expect(try await Self.eventually { try await Self.states(fake, sha: Self.sha(1)) == ["in_progress", "inactive"] })
        #expect(!daemon.log.contains("ghs_"))
        await fake.stop()
    }

    @Test func aLaterStartWithoutTheKeyFileUsesTheStoredKey() async throws {
        let fake = try await FakeGitHubServer.start()
        let (first, files) = try await startDaemon(fake: fake, app: true)
        defer {
            first.cleanUp()
            for file in files { try? FileManager.default.removeItem(at: file) }
        }
        try await first.stop()
        let token = first.adminToken
        // The key file is gone; only the App id is given again.
        try FileManager.default.removeItem(at: files[1])
        let second = DaemonProcess(arguments: [
            "--podman-socket", "off", "--github-webhook-secret-file", files[0].path, "--github-api-url", fake.issuer,
            "--github-app-id", "\(Self.appID)", "--data-dir", first.dataDirectory.path,
        ])
        defer { second.cleanUp() }
        try await second.start()
        let integration = try await HTTP.request("GET", "\(second.baseURL)/api/v1/integrations/github", token: token)
        #expect(integration.body.contains(#""key_stored":true"#) && integration.body.contains(#""app_id":4242"#), "\(integration.body)")
        let opened = try await GitHubWebhookDaemonTests.deliver(second, "pull_request", Self.pullRequest("opened", number: 21, sha: Self.sha(5)))
        #expect(opened.status == 200, "\(opened.body)")
        #expect(try await Self.eventually { try await Self.states(fake, sha: Self.sha(5)) == ["in_progress"] })
        #expect(try await fake.deployments().tokensIssued == 1)

        // A revoked token is refused (401), dropped and fetched again; one that expires within
        // pvdifyd's 5-minute margin is replaced before the next call: 2 more tokens.
        try await fake.revokeTokens()
        try await fake.setTokenLifetime(seconds: 120)
        _ = try await GitHubWebhookDaemonTests.deliver(second, "pull_request", Self.pullRequest("opened", number: 22, sha: Self.sha(6)))
        #expect(try await Self.eventually { try await Self.states(fake, sha: Self.sha(6)) == ["in_progress"] })
        #expect(try await fake.deployments().tokensIssued == 3)
        await fake.stop()
    }

    @Test func withoutTheAppNothingIsPostedAndThePreviewSaysWhy() async throws {
        let fake = try await FakeGitHubServer.start()
        let (daemon, files) = try await startDaemon(fake: fake, app: false)
        defer {
            daemon.cleanUp()
            for file in files { try? FileManager.default.removeItem(at: file) }
        }
        let integration = try await HTTP.request("GET", "\(daemon.baseURL)/api/v1/integrations/github", token: daemon.adminToken)
        #expect(integration.body.contains(#""app_id":null"#) && integration.body.contains(#""key_stored":false"#), "\(integration.body)")
        _ = try await GitHubWebhookDaemonTests.deliver(daemon, "pull_request", Self.pullRequest("opened", number: 12, sha: Self.sha(1)))
        #expect(try await Self.eventually { (try await Self.github(daemon, number: 12)?["error"] as? String)?.contains("not configured") == true })
        #expect(try await fake.deployments().deployments.isEmpty)
        #expect(try await fake.hits().isEmpty)
        await fake.stop()
    }

    @Test func badAppSettingsStopTheStartWithAClearError() async throws {
        let notAKey = FileManager.default.temporaryDirectory.appendingPathComponent("gh-not-a-key-\(UUID().uuidString).pem")
        try Data("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8).write(to: notAKey)
        defer { try? FileManager.default.removeItem(at: notAKey) }
        let cases: [([String], String)] = [
            (["--github-app-id", "0"], "--github-app-id must be a positive whole number"),
            (["--github-app-id", "12x"], "--github-app-id must be a positive whole number"),
            (["--github-app-key-file", notAKey.path], "not an RSA private key"),
            (["--github-app-key-file", "/nonexistent/key.pem"], "--github-app-key-file must name a readable file"),
            (["--github-api-url", "ftp://example.com"], "--github-api-url must be an http(s) URL"),
            (["--public-url", "pvdify.example.com"], "--public-url must be an http(s) URL"),
            (["--public-url", "https://user:pass@pvdify.example.com"], "--public-url must be an http(s) URL"),
        ]
        for (arguments, message) in cases {
            let daemon = DaemonProcess(arguments: ["--podman-socket", "off"] + arguments)
            defer { daemon.cleanUp() }
            await #expect(throws: DaemonError.self) { try await daemon.start() }
            #expect(daemon.log.contains(message), "\(arguments): \(daemon.log)")
            #expect(!daemon.log.contains("Fatal error"), "\(arguments)")
        }
    }
}
