import Foundation
import PvdifyModel

/// What GitHub should show of one preview commit, and what was last posted: the desired state of
/// the deployment reconciler, written with the preview it belongs to.
public struct GitHubDeployment: Sendable, Equatable {
    /// The preview app (`{parent}-pr-{n}`).
    public var previewApp: String
    /// The commit deployed.
    public var sha: String
    public var parent: String
    public var prNumber: Int
    /// `owner/name` of the repository the deployment is made in.
    public var repo: String
    /// The GitHub App installation whose token reaches the repository.
    public var installationID: Int64
    /// `pr-{n}`.
    public var environment: String
    /// GitHub's id of the deployment; nil until it is created.
    public var deploymentID: Int64?
    /// The state last posted (`in_progress`, `success`, `failure`, `inactive`), nil before any.
    public var state: String?
    /// The description last posted with it.
    public var description: String?
    /// Why the last attempt failed; nil after a success.
    public var error: String?
    /// Failed attempts in a row.
    public var attempts: Int
    /// When to try again after a failure.
    public var nextAttemptAt: Date?
    public var createdAt: Date

    public init(
        previewApp: String, sha: String, parent: String, prNumber: Int, repo: String, installationID: Int64, environment: String,
        deploymentID: Int64? = nil, state: String? = nil, description: String? = nil, error: String? = nil, attempts: Int = 0,
        nextAttemptAt: Date? = nil, createdAt: Date
    ) {
        self.previewApp = previewApp
        self.sha = sha
        self.parent = parent
        self.prNumber = prNumber
        self.repo = repo
        self.installationID = installationID
        self.environment = environment
        self.deploymentID = deploymentID
        self.state = state
        self.description = description
        self.error = error
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
    }
}

extension Store {
    /// The deployments of one preview app (its current commit and any older one not yet inactive).
    public func githubDeployments(app: String) async throws -> [GitHubDeployment] {
        try await read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM github_deployments WHERE preview_app = ? ORDER BY created_at", arguments: [app])
                .map(Self.decodeGitHubDeployment)
        }
    }

    /// The deployments of every preview of `parent`.
    public func githubDeployments(parent: String) async throws -> [GitHubDeployment] {
        try await read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM github_deployments WHERE parent = ? ORDER BY preview_app, created_at", arguments: [parent])
                .map(Self.decodeGitHubDeployment)
        }
    }

    /// The preview apps with a deployment that needs a look without a change: a retry that is
    /// due, a commit whose preview record is gone or moved on, a status still `in_progress` or
    /// never posted (a change missed while pvdifyd was down), or an error with no retry (the App
    /// was not configured then). Settled ones are not visited.
    public func githubDeploymentsToResync(now: Date) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: """
                    SELECT DISTINCT preview_app FROM github_deployments d
                    WHERE (next_attempt_at IS NOT NULL AND next_attempt_at <= ?)
                        OR (next_attempt_at IS NULL AND (error IS NOT NULL OR state IS NULL OR state = 'in_progress'))
                        OR NOT EXISTS (SELECT 1 FROM previews p WHERE p.app = d.preview_app AND p.head_sha = d.sha)
                    ORDER BY preview_app
                    """, arguments: [now.timeIntervalSince1970])
        }
    }

    /// Records what the reconciler posted or why it could not (never touches the desired fields).
    public func recordGitHubDeployment(_ deployment: GitHubDeployment) async throws {
        try await leaderWrite { db in
            try db.execute(
                sql: """
                    UPDATE github_deployments SET deployment_id = ?, state = ?, description = ?, error = ?, attempts = ?,
                        next_attempt_at = ? WHERE preview_app = ? AND sha = ?
                    """,
                arguments: [
                    deployment.deploymentID, deployment.state, deployment.description, deployment.error, deployment.attempts,
                    deployment.nextAttemptAt?.timeIntervalSince1970, deployment.previewApp, deployment.sha,
                ])
            return ((), [])
        }
    }

    /// Forgets a deployment (after `inactive` was posted, or when it was never created).
    public func deleteGitHubDeployment(app: String, sha: String) async throws {
        try await leaderWrite { db in
            try db.execute(sql: "DELETE FROM github_deployments WHERE preview_app = ? AND sha = ?", arguments: [app, sha])
            return ((), [])
        }
    }

    /// The record of a preview app, or nil when it has none (deleted, expired, or not a preview).
    public func previewRecord(app: String) async throws -> Preview? {
        try await read { db in
            try SQLRow.fetchOne(db, sql: "SELECT * FROM previews WHERE app = ?", arguments: [app]).map(Self.decodePreview)
        }
    }

    /// The installation that covers `repo` among those recorded (the lowest id), if any.
    static func installationCovering(_ db: any SQLSession, repo: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: """
                SELECT installation_id FROM github_installation_repositories WHERE lower(full_name) = lower(?)
                ORDER BY installation_id LIMIT 1
                """, arguments: [repo])
    }

    /// Part of a preview upsert: when the parent opts in from a repository and an installation
    /// reaches it, a commit the preview did not have before gets its deployment row, in the
    /// same transaction as the preview record.
    static func addGitHubDeployment(
        _ db: any SQLSession, parent: App, preview: String, _ request: PreviewRequest, previous: Preview?, now: Date
    ) throws {
        guard let link = parent.spec.github, let sha = request.headSHA, previous?.headSHA != sha else { return }
        guard let installation = try request.installationID ?? installationCovering(db, repo: link.repo) else { return }
        try db.execute(
            sql: """
                INSERT INTO github_deployments
                    (preview_app, sha, parent, pr_number, repo, installation_id, environment, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (preview_app, sha) DO NOTHING
                """,
            arguments: [
                preview, sha, parent.name, request.prNumber, link.repo, installation, "pr-\(request.prNumber)", now.timeIntervalSince1970,
            ])
    }

    static func decodeGitHubDeployment(_ row: SQLRow) throws -> GitHubDeployment {
        let next: Double? = row["next_attempt_at"]
        return GitHubDeployment(
            previewApp: row["preview_app"], sha: row["sha"], parent: row["parent"], prNumber: row["pr_number"], repo: row["repo"],
            installationID: row["installation_id"], environment: row["environment"], deploymentID: row["deployment_id"],
            state: row["state"], description: row["description"], error: row["error"], attempts: row["attempts"],
            nextAttemptAt: next.map(Date.init(timeIntervalSince1970:)), createdAt: Columns.date(row, "created_at"))
    }
}
