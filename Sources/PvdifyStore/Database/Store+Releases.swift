import Foundation
import PvdifyModel

extension Store {
    /// Every release of an app, newest first.
    public func releases(_ app: String) async throws -> [Release] {
        try await read { db in
            _ = try Self.loadApp(db, app)
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM releases WHERE app = ? ORDER BY version DESC", arguments: [app])
                .map(Self.decodeRelease)
        }
    }

    public func release(_ app: String, version: Int) async throws -> Release {
        try await read { db in
            _ = try Self.loadApp(db, app)
            return try Self.loadRelease(db, app: app, version: version)
        }
    }

    /// Deploys `image` with the config in force as the app's next release.
    public func createRelease(_ app: String, image: String, by actor: String) async throws -> Release {
        try await write { db in
            var current = try Self.loadApp(db, app)
            let config = try Int.fetchOne(db, sql: "SELECT config_version FROM apps WHERE name = ?", arguments: [app])
            let release = try Self.insertRelease(db, app: app, image: image, configVersion: config, actor: actor)
            current.spec.image = image
            try Self.saveSpec(db, &current)
            return (release, [Change(app, .release)])
        }
    }

    /// Makes a new release with the image and config version of `target` (default: the newest
    /// release before the current one that did not fail), and puts that config back in force.
    public func rollback(_ app: String, to target: Int?, by actor: String) async throws -> Release {
        try await write { db in
            var current = try Self.loadApp(db, app)
            let releases = try SQLRow.fetchAll(db, sql: "SELECT * FROM releases WHERE app = ? ORDER BY version DESC", arguments: [app])
                .map(Self.decodeRelease)
            guard let newest = releases.first else {
                throw StoreError.invalid(ValidationError(field: "version", message: "app '\(app)' has no releases to roll back"))
            }
            let from = releases.first(where: { $0.status == .active }) ?? newest
            let chosen: Release
            if let target {
                guard let found = releases.first(where: { $0.version == target }) else {
                    throw StoreError.notFound("Release v\(target) of app '\(app)' not found")
                }
                guard found.version != from.version, found.version != newest.version else {
                    throw StoreError.invalid(ValidationError(field: "version", message: "v\(target) is already the current release"))
                }
                chosen = found
            } else {
                guard let found = releases.first(where: { $0.version < from.version && $0.status != .failed }) else {
                    throw StoreError.invalid(ValidationError(field: "version", message: "there is no earlier release to roll back to"))
                }
                chosen = found
            }
            let release = try Self.insertRelease(
                db, app: app, image: chosen.image, configVersion: chosen.configVersion, actor: actor,
                rollback: (from: from.version, to: chosen.version))
            try db.execute(sql: "UPDATE apps SET config_version = ? WHERE name = ?", arguments: [chosen.configVersion, app])
            current.spec.image = chosen.image
            try Self.saveSpec(db, &current)
            return (release, [Change(app, .release)])
        }
    }

    /// The deploy log of a release, one timestamped line per event.
    public func releaseLog(_ app: String, version: Int) async throws -> [(Date, String)] {
        try await read { db in
            _ = try Self.loadRelease(db, app: app, version: version)
            return try SQLRow.fetchAll(
                db, sql: "SELECT at, line FROM release_log WHERE app = ? AND version = ? ORDER BY id", arguments: [app, version]
            ).map { (Columns.date($0, "at"), $0["line"] as String) }
        }
    }

    /// Adds a line to a release's deploy log (reconcilers: pull progress, health checks, failure).
    public func appendReleaseLog(_ app: String, version: Int, _ line: String) async throws {
        try await statusWrite { db in
            try db.execute(
                sql: "INSERT INTO release_log (app, version, at, line) VALUES (?, ?, ?, ?)",
                arguments: [app, version, Date().timeIntervalSince1970, line])
        }
    }

    /// Records what a reconciler observed about a release.
    public func setReleaseStatus(_ app: String, version: Int, _ status: ReleaseStatus) async throws {
        try await statusWrite { db in
            try db.execute(
                sql: "UPDATE releases SET status = ? WHERE app = ? AND version = ?", arguments: [status.rawValue, app, version])
        }
    }

    static func insertRelease(
        _ db: any SQLSession, app: String, image: String, configVersion: Int?, actor: String,
        rollback: (from: Int, to: Int)? = nil
    ) throws -> Release {
        let number = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM releases WHERE app = ?", arguments: [app]) ?? 0) + 1
        let release = Release(
            app: app, version: number, image: image, configVersion: configVersion, status: .deploying,
            createdAt: Date.nowInSeconds, createdBy: actor, rollbackFrom: rollback?.from, rollbackTo: rollback?.to)
        try db.execute(
            sql: """
                INSERT INTO releases (app, version, image, config_version, status, created_at, created_by, rollback_from, rollback_to)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                app, number, image, configVersion, release.status.rawValue, release.createdAt.timeIntervalSince1970,
                actor, rollback?.from, rollback?.to,
            ])
        var line = "Release v\(number) created by \(actor): image \(image)"
        if let configVersion { line += ", config v\(configVersion)" }
        if let rollback { line += ", rollback from v\(rollback.from) to v\(rollback.to)" }
        try db.execute(
            sql: "INSERT INTO release_log (app, version, at, line) VALUES (?, ?, ?, ?)",
            arguments: [app, number, Date().timeIntervalSince1970, line])
        return release
    }

    static func loadRelease(_ db: any SQLSession, app: String, version: Int) throws -> Release {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM releases WHERE app = ? AND version = ?", arguments: [app, version]) else {
            throw StoreError.notFound("Release v\(version) of app '\(app)' not found")
        }
        return try decodeRelease(row)
    }

    static func decodeRelease(_ row: SQLRow) throws -> Release {
        Release(
            app: row["app"],
            version: row["version"],
            image: row["image"],
            configVersion: row["config_version"],
            status: ReleaseStatus(rawValue: row["status"]) ?? .deploying,
            createdAt: Columns.date(row, "created_at"),
            createdBy: row["created_by"],
            rollbackFrom: row["rollback_from"],
            rollbackTo: row["rollback_to"]
        )
    }
}
