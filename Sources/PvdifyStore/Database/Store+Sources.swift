import Foundation
import PvdifyModel

extension Store {
    public func sources() async throws -> [Source] {
        try await read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM sources ORDER BY name").map { try Self.decodeSource(db, $0) }
        }
    }

    public func source(_ name: String) async throws -> Source {
        try await read { db in try Self.loadSource(db, name) }
    }

    /// Creates a source; a name already taken is a conflict.
    public func createSource(name: String, spec: SourceSpec) async throws -> Source {
        let source = try await database.write { db in
            try Self.insertSource(db, name: name, spec: spec)
            return try Self.loadSource(db, name)
        }
        sourceChanges.publish([Change(name, .source)])
        return source
    }

    /// Changes a source's spec; bumps `generation` only when it really changed.
    @discardableResult
    public func updateSource(_ name: String, _ change: @escaping @Sendable (inout SourceSpec) throws -> Void) async throws -> Source {
        let (source, changed) = try await database.write { db in
            var source = try Self.loadSource(db, name)
            var spec = source.spec
            try change(&spec)
            guard spec != source.spec else { return (source, false) }
            source.spec = spec
            try Self.saveSourceSpec(db, name, spec)
            return (try Self.loadSource(db, name), true)
        }
        if changed {
            // Suspending or resuming changes which API writes the source's apps accept.
            let apps = try await read { db in try String.fetchAll(db, sql: "SELECT app FROM app_owners WHERE source = ?", arguments: [name]) }
            viewCache.invalidate(apps)
            sourceChanges.publish([Change(name, .source)])
        }
        return source
    }

    /// Deletes a source. Its apps stay, no longer managed, unless `prune` deletes them too; returns
    /// the apps it managed.
    public func deleteSource(_ name: String, prune: Bool) async throws -> [String] {
        let apps = try await write { db in
            _ = try Self.loadSource(db, name)
            let owned = try String.fetchAll(db, sql: "SELECT app FROM app_owners WHERE source = ? ORDER BY app", arguments: [name])
            var deleted: [String] = []
            if prune {
                for app in owned {
                    deleted += try String.fetchAll(db, sql: "SELECT name FROM apps WHERE preview_of = ?", arguments: [app])
                    try db.execute(sql: "DELETE FROM apps WHERE name = ?", arguments: [app])
                }
            }
            try db.execute(sql: "DELETE FROM sources WHERE name = ?", arguments: [name])
            // Pruned apps are gone; kept ones only lose their owner, which their view shows.
            return (owned, prune ? (owned + deleted).map { Change($0, .deleted) } : owned.map { Change($0, .status) })
        }
        sourceChanges.publish([Change(name, .source)])
        return apps
    }

    /// Asks for a sync now; returns the time asked, which the sync's `last_sync_at` passes.
    public func requestSync(_ name: String) async throws -> Date {
        let now = Date()
        try await database.write { db in
            _ = try Self.loadSource(db, name)
            try db.execute(sql: "UPDATE sources SET sync_requested_at = ? WHERE name = ?", arguments: [now.timeIntervalSince1970, name])
        }
        sourceChanges.publish([Change(name, .source)])
        return now
    }

    /// Changes a source's credentials (sealed like app secrets); returns which are set now.
    public func setSourceCredentials(
        _ name: String, _ change: @escaping @Sendable (SourceCredentials) throws -> SourceCredentials
    ) async throws -> [String] {
        let box = secrets
        let kinds = try await database.write { db in
            _ = try Self.loadSource(db, name)
            let updated = try change(try Self.openCredentials(db, box: box, name))
            let sealed = try box.seal(try Self.credentialValues(updated))
            try db.execute(
                sql: "UPDATE sources SET credentials = ?, credential_kinds = ? WHERE name = ?",
                arguments: [sealed, try Columns.encode(updated.kinds), name])
            return updated.kinds
        }
        sourceChanges.publish([Change(name, .source)])
        return kinds
    }

    /// A source's credentials, opened, for the reconciler's git runs only.
    public func sourceCredentials(_ name: String) async throws -> SourceCredentials {
        let box = secrets
        return try await read { db in try Self.openCredentials(db, box: box, name) }
    }

    /// Writes what the source reconciler observed.
    public func writeSourceStatus(_ name: String, _ status: SourceStatus) async throws {
        try await statusWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO source_status (source, status, updated_at) SELECT ?, ?, ?
                    WHERE EXISTS (SELECT 1 FROM sources WHERE name = ?)
                    ON CONFLICT(source) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [name, try Columns.encode(status), Date().timeIntervalSince1970, name])
        }
    }

    /// The apps a source owns, and the file each came from.
    public func sourceInventory(_ name: String) async throws -> [SourceInventoryEntry] {
        try await read { db in
            try SQLRow.fetchAll(db, sql: "SELECT app, path FROM app_owners WHERE source = ? ORDER BY app", arguments: [name]).map {
                SourceInventoryEntry(app: $0["app"], path: $0["path"])
            }
        }
    }

    /// Every source's name (for resyncs).
    public func sourceNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM sources ORDER BY name") }
    }

    /// The source whose sync currently owns an app's spec: its owner, unless that source is suspended.
    public func managingSource(_ app: String) async throws -> String? {
        try await read { db in try Self.managingSource(db, app) }
    }

    // MARK: - Rows

    static func managingSource(_ db: any SQLSession, _ app: String) throws -> String? {
        guard let row = try SQLRow.fetchOne(
            db, sql: "SELECT s.name, s.spec FROM app_owners o JOIN sources s ON s.name = o.source WHERE o.app = ?", arguments: [app])
        else { return nil }
        let spec = try Columns.decode(SourceSpec.self, row["spec"])
        return spec.suspend ? nil : row["name"]
    }

    /// The refusal for a write to an app a source manages.
    static func managedConflict(_ app: String, source: String) -> StoreError {
        .conflict(managedMessage(app: app, source: source))
    }

    /// What a refused write to a managed app says: whose it is and what to do instead.
    public static func managedMessage(app: String, source: String) -> String {
        "App '\(app)' is managed by source '\(source)': change it in git, or suspend source '\(source)' (pvdify sources:suspend \(source))"
    }

    static func owner(_ db: any SQLSession, _ app: String) throws -> AppOwner? {
        try SQLRow.fetchOne(db, sql: "SELECT source, revision, path FROM app_owners WHERE app = ?", arguments: [app]).map {
            AppOwner(source: $0["source"], revision: $0["revision"], path: $0["path"])
        }
    }

    static func loadSource(_ db: any SQLSession, _ name: String) throws -> Source {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM sources WHERE name = ?", arguments: [name]) else {
            throw StoreError.notFound("Source '\(name)' not found")
        }
        return try decodeSource(db, row)
    }

    static func decodeSource(_ db: any SQLSession, _ row: SQLRow) throws -> Source {
        let name: String = row["name"]
        let status = try String.fetchOne(db, sql: "SELECT status FROM source_status WHERE source = ?", arguments: [name])
            .map { try Columns.decode(SourceStatus.self, $0) }
        return Source(
            name: name, spec: try Columns.decode(SourceSpec.self, row["spec"]), generation: row["generation"], status: status,
            credentialKinds: try Columns.decode([String].self, row["credential_kinds"]),
            syncRequestedAt: Columns.optionalDate(row, "sync_requested_at"),
            createdAt: Columns.date(row, "created_at"), updatedAt: Columns.date(row, "updated_at"))
    }

    static func insertSource(_ db: any SQLSession, name: String, spec: SourceSpec) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM sources WHERE name = ?", arguments: [name]) == true {
            throw StoreError.conflict("Source '\(name)' already exists")
        }
        let now = Date.nowInSeconds.timeIntervalSince1970
        try db.execute(
            sql: "INSERT INTO sources (name, spec, generation, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
            arguments: [name, try Columns.encode(spec), now, now])
    }

    static func saveSourceSpec(_ db: any SQLSession, _ name: String, _ spec: SourceSpec) throws {
        try db.execute(
            sql: "UPDATE sources SET spec = ?, generation = generation + 1, updated_at = ? WHERE name = ?",
            arguments: [try Columns.encode(spec), Date.nowInSeconds.timeIntervalSince1970, name])
    }

    /// Creates or replaces a source from an applied document; returns `created`, `configured` or `unchanged`.
    static func applySource(_ db: any SQLSession, _ manifest: SourceManifest) throws -> String {
        guard let text = try String.fetchOne(db, sql: "SELECT spec FROM sources WHERE name = ?", arguments: [manifest.name]) else {
            try insertSource(db, name: manifest.name, spec: manifest.spec)
            return "created"
        }
        guard try Columns.decode(SourceSpec.self, text) != manifest.spec else { return "unchanged" }
        try saveSourceSpec(db, manifest.name, manifest.spec)
        return "configured"
    }

    static func openCredentials(_ db: any SQLSession, box: SecretBox, _ name: String) throws -> SourceCredentials {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT credentials FROM sources WHERE name = ?", arguments: [name]) else {
            return SourceCredentials()
        }
        let values = try box.open(sealed)
        return try JSONDecoder().decode(SourceCredentials.self, from: JSONEncoder().encode(values))
    }

    static func credentialValues(_ credentials: SourceCredentials) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: JSONEncoder().encode(credentials))
    }
}
