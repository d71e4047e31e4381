import Foundation

/// One audited API call: who, from where, which route (its pattern, never the raw path), which
/// app and how it ended. Never a body, a secret value or a token secret.
public struct AuditEntry: Sendable, Equatable {
    /// Assigned when the entry is stored; nil before.
    public var id: Int64?
    public var time: Date
    public var tokenID: String?
    public var tokenName: String?
    /// The client's address.
    public var source: String?
    public var method: String
    /// The route pattern, like `/api/v1/apps/{name}/config`; nil when no route matched.
    public var route: String?
    /// The app (or, for an apply, the apps separated by commas) the call named, if any.
    public var app: String?
    /// The HTTP status answered.
    public var status: Int

    public init(
        id: Int64? = nil, time: Date, tokenID: String?, tokenName: String?, source: String?, method: String, route: String?,
        app: String?, status: Int
    ) {
        self.id = id
        self.time = time
        self.tokenID = tokenID
        self.tokenName = tokenName
        self.source = source
        self.method = method
        self.route = route
        self.app = app
        self.status = status
    }

    /// The status in a word: `ok`, `denied` (401, 403), `rate_limited`, `rejected` (other 4xx), `failed` (5xx).
    public var outcome: String {
        switch status {
        case 401, 403: "denied"
        case 429: "rate_limited"
        case 400..<500: "rejected"
        case 500...: "failed"
        default: "ok"
        }
    }
}

/// Which audit entries to list, newest first.
public struct AuditQuery: Sendable {
    public var app: String?
    /// A token id or name.
    public var token: String?
    public var since: Date?
    public var until: Date?
    public var limit: Int

    public init(app: String? = nil, token: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 100) {
        self.app = app
        self.token = token
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// How much of the audit log is kept: the newest `maxEntries`, none older than `maxAge`.
public struct AuditRetention: Sendable {
    public var maxEntries: Int
    public var maxAge: TimeInterval

    public init(maxEntries: Int = 100_000, maxAge: TimeInterval = 90 * 86_400) {
        self.maxEntries = maxEntries
        self.maxAge = maxAge
    }

    public static let standard = AuditRetention()
}
