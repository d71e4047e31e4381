import Foundation

/// Typed calls to GitHub as a GitHub App: the App JWT buys installation tokens (cached, see
/// `GitHubTokenCache`), and installation tokens create deployments and their statuses. Builds
/// requests with `GitHubRequests` and sends them through one `GitHubSending`.
public struct GitHubAppClient: Sendable {
    let transport: any GitHubSending
    let key: GitHubAppKey
    let tokens: GitHubTokenCache
    let now: @Sendable () -> Date

    /// A client over `transport`; `now` is the clock of the JWT and of the token cache.
    public init(
        transport: any GitHubSending, key: GitHubAppKey, tokens: GitHubTokenCache? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.key = key
        self.tokens = tokens ?? GitHubTokenCache(now: now)
        self.now = now
    }

    /// The App's id.
    public var appID: Int64 { key.appID }

    /// Creates a deployment and returns its id.
    public func createDeployment(
        _ repository: GitHubRepository, installation: Int64, _ deployment: GitHubDeploymentRequest
    ) async throws -> Int64 {
        struct Created: Decodable { var id: Int64 }
        let request = GitHubRequests.createDeployment(repository, deployment)
        let answer = try await sendAsInstallation(request, installation: installation)
        guard let created = try? JSONDecoder().decode(Created.self, from: answer.body) else {
            throw GitHubError(status: answer.status, message: "the answer names no deployment id", call: request.call)
        }
        return created.id
    }

    /// Posts a status of a deployment.
    public func createStatus(
        _ repository: GitHubRepository, installation: Int64, deployment: Int64, _ status: GitHubDeploymentStatus
    ) async throws {
        _ = try await sendAsInstallation(GitHubRequests.createStatus(repository, deployment: deployment, status), installation: installation)
    }

    /// A fresh installation token (from the cache while it lasts).
    public func installationToken(_ installation: Int64) async throws -> GitHubInstallationToken {
        try await tokens.token(for: installation) { [self] in try await fetchInstallationToken(installation) }
    }

    /// Sends as the installation; a 401 means the cached token is no longer good (revoked, or
    /// the clocks disagree): it is dropped and the call is sent once more with a new one.
    func sendAsInstallation(_ request: GitHubRequest, installation: Int64) async throws -> GitHubAnswer {
        var retried = false
        while true {
            let token = try await installationToken(installation)
            let answer = try await transport.send(request, credential: token.token)
            if answer.status == 401 && !retried {
                await tokens.drop(token.token, of: installation)
                retried = true
                continue
            }
            guard answer.status < 400 else { throw GitHubError.answer(status: answer.status, body: answer.body, call: request.call) }
            return answer
        }
    }

    func fetchInstallationToken(_ installation: Int64) async throws -> GitHubInstallationToken {
        struct Issued: Decodable {
            var token: String
            var expires_at: String
        }
        let request = GitHubRequests.installationToken(installation: installation)
        let answer = try await transport.send(request, credential: try await key.jwt(now: now()))
        guard answer.status < 400 else { throw GitHubError.answer(status: answer.status, body: answer.body, call: request.call) }
        guard let issued = try? JSONDecoder().decode(Issued.self, from: answer.body), !issued.token.isEmpty,
              let expiresAt = ISO8601DateFormatter().date(from: issued.expires_at)
        else {
            throw GitHubError(status: answer.status, message: "the answer holds no token and expires_at", call: request.call)
        }
        return GitHubInstallationToken(token: issued.token, expiresAt: expiresAt)
    }
}
