import Foundation
import PvdifyStore

/// What the API needs to know about the daemon around it.
public struct APISettings: Sendable {
    /// Apps are served at `<app>.<baseDomain>`; preview URLs use it.
    public var baseDomain: String
    /// Whether app URLs are https (TLS `acme` or `internal`) or http (`off`).
    public var appURLScheme: String
    /// Requests per minute per token (the reference's 100).
    public var requestsPerMinute: Int
    /// Deploys per minute per token (the reference's 10).
    public var deploysPerMinute: Int
    /// Concurrent log streams per token (the reference's 10).
    public var concurrentLogStreams: Int
    /// Largest request body accepted.
    public var maxBodyBytes: Int
    /// Interval between SSE heartbeat comments on log streams.
    public var heartbeatInterval: Duration
    /// App documents in one `POST /apply`: a bound on the write transaction every other write waits for.
    public var maxApplyDocuments: Int
    public var version: String
    public var startedAt: Date
    /// Whether the Admin UI is served under `/ui/` (`--ui off` turns it off).
    public var adminUI = true
    /// The TLS mode of app routes (acme, internal, off), shown on the UI's settings page.
    public var tlsMode = "acme"
    /// Whether pvdifyd manages DNS records on Cloudflare, shown on the UI's settings page.
    public var dnsManaged = false
    /// Fetches a source's current remote commit and answers what syncing it would do (the
    /// source reconciler's dry run); nil where no reconciler runs.
    public var sourcePreview: (@Sendable (String) async throws -> SourcePreview)? = nil
    /// The secret GitHub signs pull-request and installation webhooks with
    /// (`POST /integrations/github/webhook`); nil: every delivery there is refused.
    public var githubWebhookSecret: String? = nil
    /// Checks GitHub Actions OIDC tokens for `POST /tokens/github-actions`; nil: that route answers 503.
    public var githubOIDC: GitHubOIDCVerifier? = nil
    /// The GitHub App's id (`--github-app-id`), shown by `GET /integrations/github`.
    public var githubAppID: Int64? = nil
    /// The GitHub REST API base the App's calls go to (`--github-api-url`).
    public var githubAPIURL = "https://api.github.com"
    /// Whether this replica leads (runs the reconcilers), for `/health`; nil: one server, it always leads.
    public var leadership: (@Sendable () -> Bool)? = nil

    public init(
        baseDomain: String = "localhost",
        appURLScheme: String = "https",
        requestsPerMinute: Int = 100,
        deploysPerMinute: Int = 10,
        concurrentLogStreams: Int = 10,
        maxBodyBytes: Int = 1 << 20,
        heartbeatInterval: Duration = .seconds(15),
        maxApplyDocuments: Int = 500,
        version: String = "1.0.0",
        startedAt: Date = Date()
    ) {
        self.baseDomain = baseDomain
        self.appURLScheme = appURLScheme
        self.requestsPerMinute = requestsPerMinute
        self.deploysPerMinute = deploysPerMinute
        self.concurrentLogStreams = concurrentLogStreams
        self.maxBodyBytes = maxBodyBytes
        self.heartbeatInterval = heartbeatInterval
        self.maxApplyDocuments = maxApplyDocuments
        self.version = version
        self.startedAt = startedAt
    }
}
