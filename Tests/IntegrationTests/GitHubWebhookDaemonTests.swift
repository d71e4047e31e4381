import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing

/// The GitHub webhook through a real pvdifyd (no Podman): the secret read from
/// `--github-webhook-secret-file`, a signed `opened` makes the preview, `closed` deletes it.
@Suite struct GitHubWebhookDaemonTests {
    static let secret = "daemon-webhook-secret-0123456789"

    static func deliver(_ daemon: DaemonProcess, _ event: String, _ body: String, secret: String = secret) async throws -> HTTP.Reply {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        var request = HTTPClientRequest(url: "\(daemon.baseURL)/api/v1/integrations/github/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-GitHub-Event", value: event)
        request.headers.add(name: "X-GitHub-Delivery", value: UUID().uuidString)
        request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 20)
        return HTTP.Reply(status: response.status.code, body: String(buffer: text), headers: [])
    }

    static func pullRequest(_ action: String, sha: String) -> String {
        #"{"action":"\#(action)","number":12,"repository":{"full_name":"octo-org/shop"},"pull_request":{"number":12,"head":{"sha":"\#(sha)","ref":"feature","repo":{"full_name":"octo-org/shop"}},"base":{"ref":"main","repo":{"full_name":"octo-org/shop"}}}}"#
    }

    @Test func aSignedOpenedThenClosedMakesAndRemovesThePreview() async throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("gh-secret-\(UUID().uuidString)")
        try Data((Self.secret + "\n").utf8).write(to: secretFile)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let daemon = DaemonProcess(arguments: ["--podman-socket", "off", "--github-webhook-secret-file", secretFile.path])
        defer { daemon.cleanUp() }
        try await daemon.start()
        #expect(!daemon.log.contains(Self.secret))
        let token = daemon.adminToken
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"shop"}"#).status == 201)
        let patch = #"{"github":{"repo":"octo-org/shop"},"previews":{"image":"127.0.0.1:5000/shop:pr-{number}-{sha}"}}"#
        #expect(try await HTTP.request("PATCH", "\(api)/apps/shop", token: token, json: patch).status == 200)

        let sha = "abcdef0123456789abcdef0123456789abcdef01"
        let forged = try await Self.deliver(daemon, "pull_request", Self.pullRequest("opened", sha: sha), secret: "not-the-secret-at-all")
        #expect(forged.status == 401, "\(forged.body)")
        #expect(try await HTTP.request("GET", "\(api)/apps/shop-pr-12", token: token).status == 404)

        let opened = try await Self.deliver(daemon, "pull_request", Self.pullRequest("opened", sha: sha))
        #expect(opened.status == 200 && opened.body.contains(#""outcome":"applied""#), "\(opened.body)")
        let preview = try await HTTP.request("GET", "\(api)/apps/shop-pr-12", token: token)
        #expect(preview.status == 200 && preview.body.contains("127.0.0.1:5000/shop:pr-12-\(sha)"), "\(preview.body)")
        let listed = try await HTTP.request("GET", "\(api)/apps/shop/previews", token: token)
        #expect(listed.body.contains(sha) && listed.body.contains(#""branch":"feature""#), "\(listed.body)")

        let closed = try await Self.deliver(daemon, "pull_request", Self.pullRequest("closed", sha: sha))
        #expect(closed.status == 200 && closed.body.contains(#""outcome":"deleted""#), "\(closed.body)")
        #expect(try await HTTP.request("GET", "\(api)/apps/shop-pr-12", token: token).status == 404)
        #expect(try await HTTP.request("GET", "\(api)/apps/shop/previews", token: token).body.contains(#""previews":[]"#))
    }
}
