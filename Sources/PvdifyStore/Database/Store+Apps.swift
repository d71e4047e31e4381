import Foundation
import PvdifyModel

/// An app with what the API shows beside its spec.
public struct AppView: Sendable {
    public var app: App
    public var status: AppStatus?
    public var domains: [String]
    /// The source that manages the app, if any.
    public var managedBy: AppOwner? = nil
}

extension Store {
    /// The lowest port a new app gets as its `bind_port`.
    public static let firstBindPort = 3000

    public func apps() async throws -> [AppView] {
        try await read { db in
            let statuses = try Dictionary(
                SQLRow.fetchAll(db, sql: "SELECT app, status FROM app_status").map { row in
                    (row["app"] as String, try Columns.decode(AppStatus.self, row["status"]))
                },
                uniquingKeysWith: { first, _ in first })
            let domains = Dictionary(
                grouping: try SQLRow.fetchAll(db, sql: "SELECT name, app FROM domains ORDER BY created_at, name"),
                by: { $0["app"] as String }
            ).mapValues { $0.map { $0["name"] as String } }
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM apps ORDER BY name").map { row in
                let app = try Self.decodeApp(row)
                return AppView(app: app, status: statuses[app.name], domains: domains[app.name] ?? [])
            }
        }
    }

    /// Every app's name (for resyncs).
    public func appNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM apps ORDER BY name") }
    }

    /// Every app's generation, by name (a resync compares them with what the reconcilers acted on).
    public func appGenerations() async throws -> [String: Int] {
        try await read { db in
            var generations: [String: Int] = [:]
            for row in try SQLRow.fetchAll(db, sql: "SELECT name, generation FROM apps") { generations[row["name"]] = row["generation"] as Int }
            return generations
        }
    }

    public func app(_ name: String) async throws -> AppView {
        let epoch = viewCache.epoch
        if let cached = viewCache.get(name) { return cached }
        let view = try await read { db in try Self.view(db, name) }
        viewCache.put(view, readAt: epoch)
        return view
    }

    /// Creates an app with one `web` process and the lowest free `bind_port` from 3000.
    public func createApp(name: String, environment: AppEnvironment) async throws -> App {
        try await write { db in
            let app = try Self.insertApp(db, name: name, spec: AppSpec(environment: environment), previewOf: nil, prNumber: nil)
            return (app, [Change(name, .created)])
        }
    }

    /// Deletes an app with everything that hangs off it, previews included; returns every deleted name.
    @discardableResult
    public func deleteApp(_ name: String) async throws -> [String] {
        try await write { db in
            _ = try Self.loadApp(db, name)
            let previews = try String.fetchAll(db, sql: "SELECT name FROM apps WHERE preview_of = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM apps WHERE name = ?", arguments: [name])
            let deleted = [name] + previews
            return (deleted, deleted.map { Change($0, .deleted) })
        }
    }

    /// Changes an app's spec; bumps `generation` only when the spec really changed.
    @discardableResult
    public func updateSpec(_ name: String, _ change: @escaping @Sendable (inout AppSpec) throws -> Void) async throws -> App {
        try await write { db in
            var app = try Self.loadApp(db, name)
            var spec = app.spec
            try change(&spec)
            guard spec != app.spec else { return (app, []) }
            app.spec = spec
            try Self.saveSpec(db, &app)
            return (app, [Change(name, .spec)])
        }
    }

    // MARK: - Rows

    static func loadApp(_ db: any SQLSession, _ name: String) throws -> App {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM apps WHERE name = ?", arguments: [name]) else {
            throw StoreError.notFound("App '\(name)' not found")
        }
        return try decodeApp(row)
    }

    static func view(_ db: any SQLSession, _ name: String) throws -> AppView {
        let app = try loadApp(db, name)
        let status = try String.fetchOne(db, sql: "SELECT status FROM app_status WHERE app = ?", arguments: [name])
            .map { try Columns.decode(AppStatus.self, $0) }
        let domains = try String.fetchAll(db, sql: "SELECT name FROM domains WHERE app = ? ORDER BY created_at, name", arguments: [name])
        return AppView(app: app, status: status, domains: domains, managedBy: try owner(db, name))
    }

    static func decodeApp(_ row: SQLRow) throws -> App {
        App(
            name: row["name"],
            spec: try Columns.decode(AppSpec.self, row["spec"]),
            generation: row["generation"],
            bindPort: row["bind_port"],
            previewOf: row["preview_of"],
            prNumber: row["pr_number"],
            createdAt: Columns.date(row, "created_at"),
            updatedAt: Columns.date(row, "updated_at")
        )
    }

    static func insertApp(_ db: any SQLSession, name: String, spec: AppSpec, previewOf: String?, prNumber: Int?) throws -> App {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE name = ?", arguments: [name]) == true {
            throw StoreError.conflict("App '\(name)' already exists")
        }
        let now = Date.nowInSeconds
        let app = App(
            name: name, spec: spec, generation: 1, bindPort: try lowestFreePort(db),
            previewOf: previewOf, prNumber: prNumber, createdAt: now, updatedAt: now)
        try db.execute(
            sql: """
                INSERT INTO apps (name, spec, generation, bind_port, preview_of, pr_number, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                name, try Columns.encode(spec), app.generation, app.bindPort, previewOf, prNumber,
                now.timeIntervalSince1970, now.timeIntervalSince1970,
            ])
        return app
    }

    static func lowestFreePort(_ db: any SQLSession) throws -> Int {
        var candidate = firstBindPort
        for port in try Int.fetchAll(db, sql: "SELECT bind_port FROM apps ORDER BY bind_port") {
            if port > candidate { break }
            if port == candidate { candidate += 1 }
        }
        return candidate
    }

    /// Writes a changed spec and bumps the generation.
    static func saveSpec(_ db: any SQLSession, _ app: inout App) throws {
        app.generation += 1
        app.updatedAt = Date.nowInSeconds
        try db.execute(
            sql: "UPDATE apps SET spec = ?, generation = ?, updated_at = ? WHERE name = ?",
            arguments: [try Columns.encode(app.spec), app.generation, app.updatedAt.timeIntervalSince1970, app.name])
    }

    /// Marks what the containers run as changed without a spec change (a new release, a config
    /// version). Domains do not bump it: `generation` counts the spec the containers depend on.
    static func bumpGeneration(_ db: any SQLSession, _ name: String) throws {
        try db.execute(
            sql: "UPDATE apps SET generation = generation + 1, updated_at = ? WHERE name = ?",
            arguments: [Date.nowInSeconds.timeIntervalSince1970, name])
    }
}
