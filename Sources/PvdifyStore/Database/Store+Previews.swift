import Foundation
import PvdifyModel

/// What a create-or-update of a preview asks for; the image is already resolved (given or from
/// the parent's template).
public struct PreviewRequest: Sendable, Equatable {
    public var prNumber: Int
    public var image: String
    public var headSHA: String?
    public var branch: String?
    public var fork: Bool
    /// The GitHub App installation a webhook named; nil falls back to the recorded installations.
    public var installationID: Int64?

    public init(
        prNumber: Int, image: String, headSHA: String? = nil, branch: String? = nil, fork: Bool = false, installationID: Int64? = nil
    ) {
        self.prNumber = prNumber
        self.image = image
        self.headSHA = headSHA
        self.branch = branch
        self.fork = fork
        self.installationID = installationID
    }
}

/// What `upsertPreview` did.
public struct PreviewUpsert: Sendable {
    public var preview: Preview
    /// True when the preview is new (201), false when an existing one was updated (200).
    public var created: Bool
    /// The release it made, if the image, head SHA or config changed (always on create).
    public var release: Release?
}

/// What one sweep removed, and when the next preview expires.
public struct PreviewSweep: Sendable, Equatable {
    /// Preview apps deleted: expired, or with no record.
    public var deleted: [String]
    public var nextExpiry: Date?
}

extension Store {
    /// The preview records of `parent`, by pull request number.
    public func previewRecords(_ parent: String) async throws -> [Preview] {
        try await read { db in
            _ = try Self.loadApp(db, parent)
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM previews WHERE parent = ? ORDER BY pr_number", arguments: [parent])
                .map(Self.decodePreview)
        }
    }

    /// Creates the preview of a pull request, or updates it when it exists: the record, and the
    /// preview app derived from it and the parent's spec and config (see `PreviewPolicy`). A new
    /// image, head SHA or config makes a release; every call restarts the TTL.
    public func upsertPreview(
        _ parent: String, _ request: PreviewRequest, by actor: String, now: Date? = nil
    ) async throws -> PreviewUpsert {
        let box = secrets
        let now = now ?? Date.nowInSeconds
        return try await write { db in
            let source = try Self.loadApp(db, parent)
            guard source.previewOf == nil else {
                throw StoreError.invalid(ValidationError(field: "pr_number", message: "'\(parent)' is itself a preview"))
            }
            let policy = source.spec.previews
            let name = App.previewName(parent: parent, number: request.prNumber)
            if let problem = Rules.appName(name, maxLength: Preview.maxNameLength) {
                throw StoreError.invalid(ValidationError(field: "pr_number", message: "The preview's name '\(name)' \(problem)"))
            }
            let existing = try SQLRow.fetchOne(db, sql: "SELECT * FROM previews WHERE app = ?", arguments: [name]).map(Self.decodePreview)
            if existing == nil {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM previews WHERE parent = ?", arguments: [parent]) ?? 0
                guard count < policy.max else {
                    throw StoreError.conflict("App '\(parent)' already has \(count) previews, its limit (previews.max \(policy.max))")
                }
            }
            let (release, changed) = try Self.derivePreview(db, box: box, parent: source, request, existing: existing, actor: actor)
            let preview = Preview(
                parent: parent, prNumber: request.prNumber, image: request.image, headSHA: request.headSHA,
                branch: request.branch, fork: request.fork, createdAt: existing?.createdAt ?? now, updatedAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(policy.ttlSeconds)))
            try db.execute(
                sql: """
                    INSERT INTO previews (app, parent, pr_number, image, head_sha, branch, fork, created_at, updated_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (app) DO UPDATE SET image = excluded.image, head_sha = excluded.head_sha,
                        branch = excluded.branch, fork = excluded.fork, updated_at = excluded.updated_at,
                        expires_at = excluded.expires_at
                    """,
                arguments: [
                    name, parent, request.prNumber, request.image, request.headSHA, request.branch, request.fork,
                    preview.createdAt.timeIntervalSince1970, now.timeIntervalSince1970, preview.expiresAt.timeIntervalSince1970,
                ])
            try Self.addGitHubDeployment(db, parent: source, preview: name, request, previous: existing, now: now)
            return (PreviewUpsert(preview: preview, created: existing == nil, release: release), changed)
        }
    }

    /// Deletes the preview of pull request `number`: its record and its app.
    public func deletePreview(_ parent: String, number: Int) async throws {
        try await write { db in
            _ = try Self.loadApp(db, parent)
            let name = App.previewName(parent: parent, number: number)
            try db.execute(sql: "DELETE FROM apps WHERE name = ? AND preview_of = ?", arguments: [name, parent])
            guard db.changesCount > 0 else { throw StoreError.notFound("Preview for PR #\(number) of app '\(parent)' not found") }
            return ((), [Change(name, .deleted)])
        }
    }

    /// Deletes every preview that expired by `now` and every preview app that has no record, and
    /// tells when the next one expires. One indexed query whatever the number of apps.
    public func sweepPreviews(now: Date) async throws -> PreviewSweep {
        try await leaderWrite { db in
            let expired = try String.fetchAll(
                db, sql: "SELECT app FROM previews WHERE expires_at <= ? ORDER BY app", arguments: [now.timeIntervalSince1970])
            let orphans = try String.fetchAll(
                db, sql: """
                    SELECT name FROM apps WHERE preview_of IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM previews WHERE previews.app = apps.name) ORDER BY name
                    """)
            let deleted = expired + orphans
            for name in deleted {
                try db.execute(sql: "DELETE FROM apps WHERE name = ?", arguments: [name])
            }
            let next = try Double.fetchOne(db, sql: "SELECT MIN(expires_at) FROM previews").map(Date.init(timeIntervalSince1970:))
            return (PreviewSweep(deleted: deleted, nextExpiry: next), deleted.map { Change($0, .deleted) })
        }
    }

    /// Derives the preview app of `request` from the parent's spec, config and previews section:
    /// creates it, or brings it in line (a new spec, config version and release only where
    /// something changed). The record itself is the caller's to write.
    static func derivePreview(
        _ db: any SQLSession, box: SecretBox, parent source: App, _ request: PreviewRequest, existing: Preview?, actor: String
    ) throws -> (Release?, [Change]) {
        let policy = source.spec.previews
        let name = App.previewName(parent: source.name, number: request.prNumber)
        var parentVars: [String: String] = [:]
        var parentSecrets: [String: String] = [:]
        if let config = try Self.currentConfigVersion(db, app: source.name) {
            parentVars = config.vars
            parentSecrets = try Self.openSecrets(db, box: box, app: source.name, version: config.version)
        }
        let wanted = policy.previewConfig(vars: parentVars, secrets: parentSecrets, fork: request.fork)
        var changed: [Change] = []
        var app: App
        var configChanged: Bool
        if existing == nil {
            app = try Self.insertApp(
                db, name: name, spec: policy.previewSpec(parent: source.spec, image: request.image),
                previewOf: source.name, prNumber: request.prNumber)
            changed.append(Change(name, .created))
            configChanged = !wanted.vars.isEmpty || !wanted.secrets.isEmpty
        } else {
            app = try Self.loadApp(db, name)
            var spec = policy.previewSpec(parent: source.spec, image: request.image)
            spec.restarts = app.spec.restarts
            if spec != app.spec {
                app.spec = spec
                try Self.saveSpec(db, &app)
                changed.append(Change(name, .spec))
            }
            let current = try Self.currentConfigVersion(db, app: name)
            let currentSecrets = try current.map { try Self.openSecrets(db, box: box, app: name, version: $0.version) } ?? [:]
            configChanged = (current?.vars ?? [:]) != wanted.vars || currentSecrets != wanted.secrets
        }
        if configChanged {
            _ = try Self.insertConfigVersion(
                db, box: box, app: name, vars: wanted.vars, secrets: wanted.secrets,
                changes: (Array(wanted.vars.keys) + Array(wanted.secrets.keys)).sorted(), actor: actor)
            changed.append(Change(name, .config))
        }
        var release: Release?
        if existing == nil || configChanged || existing?.image != request.image || existing?.headSHA != request.headSHA {
            let configVersion = try Self.currentConfigVersion(db, app: name)?.version
            release = try Self.insertRelease(db, app: name, image: request.image, configVersion: configVersion, actor: actor)
            if existing != nil, !changed.contains(Change(name, .spec)) { try Self.bumpGeneration(db, name) }
            changed.append(Change(name, .release))
        }
        return (release, changed)
    }

    /// Brings every preview of `parent` in line with the parent's current spec, config and
    /// previews section (after the parent changed), without restarting their TTL. Returns the
    /// preview apps that changed; an app with no previews costs one indexed read.
    @discardableResult
    public func refreshPreviews(_ parent: String) async throws -> [String] {
        let box = secrets
        let hasPreviews = try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM previews WHERE parent = ? LIMIT 1", arguments: [parent]) ?? false
        }
        guard hasPreviews else { return [] }
        return try await leaderWrite { db in
            guard let source = try SQLRow.fetchOne(db, sql: "SELECT * FROM apps WHERE name = ?", arguments: [parent]).map(Self.decodeApp) else {
                return ([], [])
            }
            var changed: [Change] = []
            for preview in try SQLRow.fetchAll(db, sql: "SELECT * FROM previews WHERE parent = ?", arguments: [parent]).map(Self.decodePreview) {
                let request = PreviewRequest(
                    prNumber: preview.prNumber, image: preview.image, headSHA: preview.headSHA, branch: preview.branch, fork: preview.fork)
                changed += try Self.derivePreview(db, box: box, parent: source, request, existing: preview, actor: "pvdify (\(parent) changed)").1
            }
            return (Array(Set(changed.map(\.app))).sorted(), changed)
        }
    }

    static func decodePreview(_ row: SQLRow) throws -> Preview {
        Preview(
            parent: row["parent"], prNumber: row["pr_number"], image: row["image"], headSHA: row["head_sha"],
            branch: row["branch"], fork: row["fork"], createdAt: Columns.date(row, "created_at"),
            updatedAt: Columns.date(row, "updated_at"), expiresAt: Columns.date(row, "expires_at"))
    }
}
