import Foundation
import PvdifyModel

/// A GitHub App installation as its webhooks reported it: the account it is installed on and the
/// repositories it covers.
public struct GitHubInstallation: Sendable, Equatable {
    public var id: Int64
    /// The user or organization login.
    public var account: String
    /// GitHub's `repository_selection`: `all` or `selected`, when it was sent.
    public var repositorySelection: String?
    /// `owner/name` of each repository covered, sorted.
    public var repositories: [String]
    public var updatedAt: Date

    public init(id: Int64, account: String, repositorySelection: String?, repositories: [String], updatedAt: Date) {
        self.id = id
        self.account = account
        self.repositorySelection = repositorySelection
        self.repositories = repositories
        self.updatedAt = updatedAt
    }
}

/// What one `installation` or `installation_repositories` event says about an installation.
public struct GitHubInstallationUpdate: Sendable, Equatable {
    public var id: Int64
    public var account: String
    public var repositorySelection: String?
    /// The whole list when the event carries it (`installation` `created`); nil keeps the stored one.
    public var repositories: [String]?
    public var added: [String]
    public var removed: [String]

    public init(
        id: Int64, account: String, repositorySelection: String? = nil, repositories: [String]? = nil, added: [String] = [],
        removed: [String] = []
    ) {
        self.id = id
        self.account = account
        self.repositorySelection = repositorySelection
        self.repositories = repositories
        self.added = added
        self.removed = removed
    }
}

extension Store {
    /// Records what an installation event says: the account, and the repositories replaced, added or removed.
    public func recordGitHubInstallation(_ update: GitHubInstallationUpdate, now: Date? = nil) async throws {
        let now = now ?? Date.nowInSeconds
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO github_installations (id, account, repository_selection, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET account = excluded.account,
                        repository_selection = COALESCE(excluded.repository_selection, github_installations.repository_selection),
                        updated_at = excluded.updated_at
                    """,
                arguments: [update.id, update.account, update.repositorySelection, now.timeIntervalSince1970])
            if let repositories = update.repositories {
                try db.execute(sql: "DELETE FROM github_installation_repositories WHERE installation_id = ?", arguments: [update.id])
                try Self.insertRepositories(db, installation: update.id, repositories)
            }
            try Self.insertRepositories(db, installation: update.id, update.added)
            for name in update.removed {
                try db.execute(
                    sql: "DELETE FROM github_installation_repositories WHERE installation_id = ? AND lower(full_name) = lower(?)",
                    arguments: [update.id, name])
            }
            return ((), [])
        }
    }

    /// Forgets an installation (the App was uninstalled); false when it was not known.
    @discardableResult
    public func deleteGitHubInstallation(_ id: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM github_installations WHERE id = ?", arguments: [id])
            return (db.changesCount > 0, [])
        }
    }

    /// Every installation recorded, by id, with its repositories.
    public func githubInstallations() async throws -> [GitHubInstallation] {
        try await read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM github_installations ORDER BY id").map { row in
                let id: Int64 = row["id"]
                let repositories = try String.fetchAll(
                    db, sql: "SELECT full_name FROM github_installation_repositories WHERE installation_id = ? ORDER BY lower(full_name)",
                    arguments: [id])
                return GitHubInstallation(
                    id: id, account: row["account"], repositorySelection: row["repository_selection"], repositories: repositories,
                    updatedAt: Columns.date(row, "updated_at"))
            }
        }
    }

    /// The apps (never previews) that opt in from a GitHub repository (`spec.github.repo`), by name.
    public func githubLinkedApps() async throws -> [App] {
        try await read { db in
            try SQLRow.fetchAll(
                db, sql: """
                    SELECT * FROM apps WHERE preview_of IS NULL AND \(db.dialect.jsonText("spec", "github", "repo")) IS NOT NULL
                    ORDER BY name
                    """
            ).map(Self.decodeApp)
        }
    }

    static func insertRepositories(_ db: any SQLSession, installation: Int64, _ names: [String]) throws {
        for name in names {
            try db.execute(
                sql: "INSERT INTO github_installation_repositories (installation_id, full_name) VALUES (?, ?) ON CONFLICT DO NOTHING",
                arguments: [installation, name])
        }
    }
}
