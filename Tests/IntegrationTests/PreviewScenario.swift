import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import PvdifyModel
import PvdifyTestSupport
import Testing

/// One parent app on a pvdifyd with Podman, Caddy and the Cloudflare stand-in, and the steps
/// of the proof as small calls: deliveries, waits on what serves, and checks of what is gone.
struct PreviewScenario {
    let env: ContainerEnvironment
    let caddy: CaddyProcess
    let cloudflare: CloudflareStandIn
    let github: FakeGitHubServer
    let parent: String
    /// The GitHub App installation the deliveries name.
    static let installation = 91
    var repository: String { "octo-org/\(parent)" }

    func preview(_ number: Int) -> String { App.previewName(parent: parent, number: number) }
    func host(_ app: String) -> String { "\(app).pvdify.test" }

    /// Sends a `pull_request` delivery signed with `secret`; a fork when `headRepository` is another repository.
    func sendPullRequest(
        action: String, number: Int, sha: String, headRepository: String? = nil, delivery: String = UUID().uuidString,
        secret: String = GitHubPreviewEndToEndTests.webhookSecret
    ) async throws -> HTTP.Reply {
        let head = headRepository ?? repository
        let body = """
            {"action":"\(action)","number":\(number),"installation":{"id":\(Self.installation)},"repository":{"full_name":"\(repository)"},
             "pull_request":{"number":\(number),"head":{"sha":"\(sha)","ref":"feature-\(number)","repo":{"full_name":"\(head)"}},
              "base":{"ref":"main","repo":{"full_name":"\(repository)"}}}}
            """
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        var request = HTTPClientRequest(url: "\(env.daemon.baseURL)/api/v1/integrations/github/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-GitHub-Event", value: "pull_request")
        request.headers.add(name: "X-GitHub-Delivery", value: delivery)
        request.headers.add(name: "X-Hub-Signature-256", value: "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 20)
        return HTTP.Reply(status: response.status.code, body: String(buffer: text), headers: [])
    }

    /// The deployment of `sha` the GitHub stand-in holds, with its `statuses`.
    func deployment(sha: String) async throws -> [String: Any]? {
        try await github.deployments().deployments.first { $0["ref"] as? String == sha }
    }

    /// Waits until the deployment of `sha` has exactly the statuses `states`, in that order.
    func waitDeploymentStates(sha: String, _ states: [String]) async throws {
        try await env.waitUntil("the deployment of \(sha.prefix(7)) on GitHub: \(states)", timeout: .seconds(60)) {
            let statuses = try await deployment(sha: sha)?["statuses"] as? [[String: Any]] ?? []
            return statuses.compactMap { $0["state"] as? String } == states
        }
    }

    /// `/` of the app through Caddy, by its host name.
    func viaCaddy(_ app: String) async throws -> HTTP.Reply {
        try await HTTP.request("GET", "http://127.0.0.1:\(caddy.httpPort)/", host: host(app))
    }

    /// Waits until Caddy serves the app's page with the test image's `version`, by a route for its host.
    func waitServing(_ app: String, version: Int) async throws {
        try await env.waitUntil("\(app) serving version \(version) through Caddy", timeout: .seconds(90)) {
            let reply = try? await viaCaddy(app)
            return reply?.status == 200 && reply?.body.contains("version: \(version)") == true
        }
        #expect(try await caddyConfig().contains(host(app)))
    }

    /// Caddy's whole config, from its admin API.
    func caddyConfig() async throws -> String {
        try await HTTP.request("GET", "\(caddy.adminURL)/config/").body
    }

    /// Waits until the stand-in holds the preview's address record, marked as its.
    func waitDNSRecord(_ app: String) async throws {
        try await env.waitUntil("the DNS record of \(host(app))", timeout: .seconds(30)) {
            let records = try await cloudflare.records(named: host(app))
            return records.count == 1 && records[0].type == "CNAME" && records[0].content == "lb.example.net"
                && records[0].comment == "pvdify:app=\(app)"
        }
    }

    /// `GET /apps/{app}`'s status code.
    func appStatus(_ app: String) async throws -> UInt {
        try await HTTP.request("GET", "\(env.api)/apps/\(app)", token: env.token).status
    }

    /// The app's releases as `v<version> <image>`, oldest first.
    func releases(_ app: String) async throws -> [String] {
        let list = try await env.get("/apps/\(app)/releases")["releases"]?.arrayValue ?? []
        return list.map { "v\($0["version"]?.intValue ?? -1) \($0["image"]?.stringValue ?? "")" }.sorted()
    }

    /// The ids of the app's containers, from Podman by pvdify's label.
    func containerIDs(_ app: String) async throws -> [String] {
        try await Self.podman(["ps", "-a", "-q", "--no-trunc", "--filter", "label=pvdify.app=\(app)"])
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
    }

    /// The environment of the app's (one) running container, from inside it.
    func environment(of app: String) async throws -> String {
        let running = try await Self.podman(["ps", "-q", "--filter", "label=pvdify.app=\(app)"]).split(separator: "\n")
        guard let id = running.first else { throw DaemonError(message: "\(app) has no running container") }
        return try await Self.podman(["exec", String(id), "/bin/env"])
    }

    /// Waits until the app, its containers, its Caddy route and its DNS records are all gone.
    func assertGone(_ app: String) async throws {
        try await env.waitUntil("\(app) deleted", timeout: .seconds(60)) { try await appStatus(app) == 404 }
        try await env.waitUntil("\(app)'s containers removed", timeout: .seconds(60)) { try await containerIDs(app).isEmpty }
        try await env.waitUntil("\(app)'s route removed from Caddy", timeout: .seconds(30)) {
            !(try await caddyConfig().contains(host(app)))
        }
        let unknown = try await viaCaddy(app)
        #expect(unknown.status == 404, "\(unknown.status) \(unknown.body)")
        try await env.waitUntil("\(app)'s DNS records removed", timeout: .seconds(30)) {
            try await cloudflare.records(named: host(app)).isEmpty
        }
    }

    /// Runs the Podman client against the tests' Podman service; its output, or throws.
    static func podman(_ arguments: [String]) async throws -> String {
        let outcome = try await ChildProcess.run(
            "/usr/bin/podman", ["--url", "unix://\(ContainerEnvironment.podmanSocket!)"] + arguments,
            environment: ProcessInfo.processInfo.environment)
        guard outcome.status == 0 else { throw DaemonError(message: "podman \(arguments.joined(separator: " ")): \(outcome.output)") }
        return outcome.output
    }
}
