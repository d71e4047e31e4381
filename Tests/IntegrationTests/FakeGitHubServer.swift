import Foundation
import PvdifyTestSupport

/// The `FakeGitHub` stand-in (hack/fake-github) as a child process on a free 127.0.0.1 port, with
/// calls for its admin routes: minting OIDC tokens, rotating its key, faults, the GitHub App
/// and the deployments posted to it.
final class FakeGitHubServer: @unchecked Sendable {
    let process: Process
    let port: Int
    let output: URL

    /// The OIDC issuer URL, as `--github-oidc-issuer` takes it.
    var issuer: String { "http://127.0.0.1:\(port)" }
    var adminURL: String { "http://127.0.0.1:\(port)/__admin" }

    private init(process: Process, port: Int, output: URL) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// Starts the stand-in and waits until it listens.
    static func start() async throws -> FakeGitHubServer {
        let standIn = try await StandInProcess.start(
            "FakeGitHub", override: "PVDIFY_FAKE_GITHUB_BIN", banner: "fake-github", arguments: [],
            output: FileManager.default.temporaryDirectory.appendingPathComponent("fake-github-\(UUID().uuidString).log"))
        return FakeGitHubServer(process: standIn.process, port: standIn.port, output: standIn.output)
    }

    /// Stops the process (without blocking a thread on it) and removes its log.
    func stop() async {
        await StandInProcess.stop(process)
        try? FileManager.default.removeItem(at: output)
    }

    /// An OIDC token with `claims` over the stand-in's defaults (repository octo-org/octo-repo,
    /// ref refs/heads/main, audience pvdify, 5 minutes); `signer` "foreign" signs with a key the
    /// JWKS lacks, `kid` names another key id in the header.
    func mint(claims: String = "{}", signer: String = "current", kid: String? = nil) async throws -> String {
        let kidField = kid.map { #","kid":"\#($0)""# } ?? ""
        let reply = try await HTTP.request(
            "POST", "\(adminURL)/oidc/mint", json: #"{"claims":\#(claims),"signer":"\#(signer)"\#(kidField)}"#)
        guard reply.status == 200, let token = Self.field("token", in: reply.body) else {
            throw DaemonError(message: "minting failed: \(reply.status) \(reply.body)")
        }
        return token
    }

    /// Replaces the published key with a new one.
    func rotate() async throws {
        let reply = try await HTTP.request("POST", "\(adminURL)/oidc/rotate")
        guard reply.status == 200 else { throw DaemonError(message: "rotating failed: \(reply.body)") }
    }

    /// The next `count` calls (those whose path contains `pathContains`, when given) fail with
    /// `status` and/or answer after `delayMilliseconds`.
    func fail(status: Int?, delayMilliseconds: Int = 0, count: Int = 1000, pathContains: String? = nil) async throws {
        let statusField = status.map { #""status":\#($0),"# } ?? ""
        let pathField = pathContains.map { #","path_contains":"\#($0)""# } ?? ""
        let reply = try await HTTP.request(
            "POST", "\(adminURL)/faults", json: #"{\#(statusField)"delay_ms":\#(delayMilliseconds),"count":\#(count)\#(pathField)}"#)
        guard reply.status == 200 else { throw DaemonError(message: "setting a fault failed: \(reply.body)") }
    }

    /// Registers the GitHub App whose JWTs the stand-in accepts.
    func registerApp(id: Int, publicKeyPEM: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["id": id, "public_key": publicKeyPEM])
        let reply = try await HTTP.request("POST", "\(adminURL)/app", json: String(decoding: body, as: UTF8.self))
        guard reply.status == 200 else { throw DaemonError(message: "registering the App failed: \(reply.body)") }
    }

    /// New installation tokens last `seconds` (GitHub's last an hour).
    func setTokenLifetime(seconds: Int) async throws {
        let reply = try await HTTP.request("POST", "\(adminURL)/app/token-lifetime", json: #"{"seconds":\#(seconds)}"#)
        guard reply.status == 200 else { throw DaemonError(message: "setting the token lifetime failed: \(reply.body)") }
    }

    /// Every installation token handed out stops working (GitHub answers 401 to them).
    func revokeTokens() async throws {
        let reply = try await HTTP.request("DELETE", "\(adminURL)/app/tokens")
        guard reply.status == 200 else { throw DaemonError(message: "revoking tokens failed: \(reply.body)") }
    }

    /// The deployments posted so far, each with `statuses`, and how many tokens were issued.
    func deployments() async throws -> (deployments: [[String: Any]], tokensIssued: Int) {
        let reply = try await HTTP.request("GET", "\(adminURL)/deployments")
        let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] ?? [:]
        return (object["deployments"] as? [[String: Any]] ?? [], object["tokens_issued"] as? Int ?? -1)
    }

    /// Calls received per path (admin calls aside).
    func hits() async throws -> [String: Int] {
        let reply = try await HTTP.request("GET", "\(adminURL)/stats")
        let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] ?? [:]
        return object["hits"] as? [String: Int] ?? [:]
    }

    static func field(_ name: String, in body: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        return object[name] as? String
    }
}
