import Foundation

/// An installation access token and when GitHub says it expires.
public struct GitHubInstallationToken: Sendable, Equatable {
    /// The `ghs_...` token (never logged).
    public var token: String
    /// Its `expires_at`.
    public var expiresAt: Date

    /// Makes a token value.
    public init(token: String, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// Installation tokens per installation, reused until `margin` before they expire. Callers that
/// ask for the same installation at once share one fetch.
public actor GitHubTokenCache {
    /// How long before its expiry a token is replaced (GitHub's last an hour).
    public let margin: TimeInterval
    let now: @Sendable () -> Date
    private var tokens: [Int64: GitHubInstallationToken] = [:]
    private var fetching: [Int64: Task<GitHubInstallationToken, any Error>] = [:]

    /// - Parameter now: the clock that decides expiry (tests pass their own).
    public init(margin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.margin = margin
        self.now = now
    }

    /// The cached token of `installation` while it is fresh, else a new one from `fetch`.
    public func token(
        for installation: Int64, fetch: @escaping @Sendable () async throws -> GitHubInstallationToken
    ) async throws -> GitHubInstallationToken {
        if let token = tokens[installation], token.expiresAt.timeIntervalSince(now()) > margin { return token }
        if let pending = fetching[installation] { return try await pending.value }
        let task = Task { try await fetch() }
        fetching[installation] = task
        defer { fetching[installation] = nil }
        let token = try await task.value
        tokens[installation] = token
        return token
    }

    /// Forgets `token` of `installation` (GitHub refused it); a newer one stays.
    public func drop(_ token: String, of installation: Int64) {
        if tokens[installation]?.token == token { tokens[installation] = nil }
    }
}
