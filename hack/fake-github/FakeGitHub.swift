import Foundation
import StandInKit

/// The state of the GitHub stand-in and its answers: each GitHub service it plays lives in an
/// extension of its own (see main.swift); `respond` sends a call to the one its path belongs to.
actor FakeGitHub {
    /// One incoming call, reduced to what the stand-in looks at.
    struct Call: Sendable {
        var method: String
        var path: String
        /// `http://127.0.0.1:PORT`, as the client reached the stand-in: the OIDC issuer's URL.
        var baseURL: String
        var body: Data
        /// The token of `Authorization: Bearer ...` (or `token ...`), if any.
        var bearer: String? = nil

        /// The body as a JSON object (empty when it is none).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// An answer: a status and a JSON body.
    struct Reply: Sendable {
        var status: Int
        var body: Data

        static func json(_ value: Any, status: Int = 200) -> Reply {
            Reply(status: status, body: (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data())
        }
    }

    /// The OIDC issuer's signing keys (see FakeGitHub+OIDC.swift).
    var oidc: OIDCKeys
    var faults: [Fault] = []
    /// Calls received per path, for tests (`GET /__admin/stats`).
    var hits: [String: Int] = [:]
    /// The GitHub App whose JWTs are accepted, and what it was given (see FakeGitHub+App.swift).
    var app: RegisteredApp?
    var tokens: [String: IssuedToken] = [:]
    var tokensIssued = 0
    /// How long installation tokens last (GitHub: an hour); `POST /__admin/app/token-lifetime`.
    var tokenLifetime: TimeInterval = 3600
    var deployments: [Deployment] = []
    var nextDeploymentID: Int64 = 1000

    init() throws { oidc = try OIDCKeys() }

    /// The fault the next non-admin call meets, if any (consumed here).
    func takeFault(_ call: Call) -> Fault? {
        guard !call.path.hasPrefix("/__admin") else { return nil }
        return faults.take(method: call.method, path: call.path)
    }

    /// Answers one call (after any fault's delay).
    func respond(_ call: Call) async throws -> Reply {
        if call.path.hasPrefix("/__admin/") { return try await admin(call) }
        hits[call.path, default: 0] += 1
        if let reply = oidcEndpoint(call) { return reply }
        if let reply = await appEndpoint(call) { return reply }
        return .json(["message": "Not Found", "documentation_url": "https://docs.github.com/rest"], status: 404)
    }
}
