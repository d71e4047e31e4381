import Foundation

/// What a token may do. Scopes nest: admin > write > deploy > read.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    case read, deploy, write, admin

    var rank: Int {
        switch self {
        case .read: 0
        case .deploy: 1
        case .write: 2
        case .admin: 3
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }
}

/// An API token, as stored (its secret only as a hash).
public struct APIToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scopes: [Scope]
    /// nil: every app. Otherwise only these apps and the previews the store made of them.
    public var apps: [String]?
    public var createdAt: Date
    public var lastUsedAt: Date?
    /// nil: the token never expires.
    public var expiresAt: Date?

    public init(
        id: String, name: String, scopes: [Scope], apps: [String]?, createdAt: Date, lastUsedAt: Date?, expiresAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.apps = apps
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }

    /// The highest scope this token really has. An app-limited token never acts as admin: admin
    /// reaches tokens and the audit log, which belong to no app, so a limit could not hold there.
    public var effectiveScope: Scope? {
        guard let highest = scopes.max() else { return nil }
        return apps != nil && highest == .admin ? .write : highest
    }

    public func allows(_ scope: Scope) -> Bool { effectiveScope.map { $0 >= scope } ?? false }

    /// Whether the token reaches `app`: listed itself, or a preview whose parent (`previewOf`, as
    /// the store records it, never guessed from the name) is listed.
    public func reaches(app: String, previewOf: String?) -> Bool {
        guard let apps else { return true }
        if apps.contains(app) { return true }
        guard let previewOf else { return false }
        return apps.contains(previewOf)
    }

    /// Whether this token may create a token with `scopes` and `apps`: never more than it has itself.
    public func mayGrant(scopes requested: [Scope], apps requestedApps: [String]?) -> Bool {
        guard requested.allSatisfy(allows) else { return false }
        guard let apps else { return true }
        guard let requestedApps else { return false }
        return requestedApps.allSatisfy(apps.contains)
    }

    /// Whether the token has expired by `now`.
    public func isExpired(at now: Date = Date()) -> Bool { expiresAt.map { now >= $0 } ?? false }
}
