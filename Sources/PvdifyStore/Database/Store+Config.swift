import Foundation
import PvdifyModel

/// One change to one config var.
public enum ConfigChange: Sendable, Equatable {
    case set(String)
    case secret(String)
    case unset
}

/// The outcome of a config change: the version now in force (nil before any config), the keys
/// that really changed, and the release it started when the app has an image.
public struct ConfigChangeResult: Sendable {
    public var version: ConfigVersion?
    public var changes: [String]
    public var release: Release?
}

extension Store {
    /// The config version in force (after a rollback, possibly an older one), or nil.
    public func currentConfig(_ app: String) async throws -> ConfigVersion? {
        try await read { db in
            let current = try Self.loadApp(db, app)
            return try Self.currentConfigVersion(db, app: current.name)
        }
    }

    /// Every config version, newest first.
    public func configVersions(_ app: String) async throws -> [ConfigVersion] {
        try await read { db in
            _ = try Self.loadApp(db, app)
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM config_versions WHERE app = ? ORDER BY version DESC", arguments: [app])
                .map(Self.decodeConfigVersion)
        }
    }

    public func configVersion(_ app: String, version: Int) async throws -> ConfigVersion {
        try await read { db in
            _ = try Self.loadApp(db, app)
            return try Self.loadConfigVersion(db, app: app, version: version)
        }
    }

    /// Plain vars and decrypted secrets of a config version: the environment a container gets.
    /// Only reconcilers call this; nothing it returns may be logged or served.
    public func resolvedConfig(_ app: String, version: Int) async throws -> [String: String] {
        let box = secrets
        return try await read { db in
            guard let row = try SQLRow.fetchOne(
                db, sql: "SELECT vars, sealed_secrets FROM config_versions WHERE app = ? AND version = ?", arguments: [app, version])
            else { throw StoreError.notFound("Config version v\(version) of app '\(app)' not found") }
            var all = try Columns.decode([String: String].self, row["vars"])
            if let sealed = row["sealed_secrets"] as Data? {
                all.merge(try box.open(sealed)) { _, secret in secret }
            }
            return all
        }
    }

    /// Applies `changes` as one new config version (none when nothing really changes) and, when the
    /// app has an image, a new release with it.
    public func changeConfig(_ app: String, _ changes: [String: ConfigChange], by actor: String) async throws -> ConfigChangeResult {
        let box = secrets
        return try await write { db in
            let result = try Self.changeConfig(db, box: box, app: app, changes: changes, actor: actor)
            var changed = result.changes.isEmpty ? [] : [Change(app, .config)]
            if result.release != nil { changed.append(Change(app, .release)) }
            return (result, changed)
        }
    }

    static func changeConfig(
        _ db: any SQLSession, box: SecretBox, app name: String, changes: [String: ConfigChange], actor: String
    ) throws -> ConfigChangeResult {
        let app = try loadApp(db, name)
        let current = try currentConfigVersion(db, app: name)
        var vars = current?.vars ?? [:]
        var secretValues = try current.map { try openSecrets(db, box: box, app: name, version: $0.version) } ?? [:]
        var changed: [String] = []
        for (key, change) in changes.sorted(by: { $0.key < $1.key }) {
            switch change {
            case .set(let value):
                if secretValues[key] != nil {
                    throw StoreError.invalid(ValidationError(
                        field: "vars.\(key)", message: "is a secret; set it through /config/secrets or unset it first"))
                }
                guard vars[key] != value else { continue }
                vars[key] = value
            case .secret(let value):
                guard secretValues[key] != value || vars[key] != nil else { continue }
                vars[key] = nil
                secretValues[key] = value
            case .unset:
                guard vars[key] != nil || secretValues[key] != nil else { continue }
                vars[key] = nil
                secretValues[key] = nil
            }
            changed.append(key)
        }
        guard !changed.isEmpty else { return ConfigChangeResult(version: current, changes: [], release: nil) }
        let version = try insertConfigVersion(db, box: box, app: name, vars: vars, secrets: secretValues, changes: changed, actor: actor)
        var release: Release?
        if let image = app.spec.image {
            release = try insertRelease(db, app: name, image: image, configVersion: version.version, actor: actor)
        }
        try bumpGeneration(db, name)
        return ConfigChangeResult(version: version, changes: changed, release: release)
    }

    static func insertConfigVersion(
        _ db: any SQLSession, box: SecretBox, app: String, vars: [String: String], secrets: [String: String],
        changes: [String], actor: String
    ) throws -> ConfigVersion {
        let number = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM config_versions WHERE app = ?", arguments: [app]) ?? 0) + 1
        let version = ConfigVersion(
            app: app, version: number, vars: vars, secretNames: secrets.keys.sorted(), changes: changes,
            createdAt: Date.nowInSeconds, createdBy: actor)
        try db.execute(
            sql: """
                INSERT INTO config_versions (app, version, vars, secret_names, sealed_secrets, changes, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                app, number, try Columns.encode(vars), try Columns.encode(version.secretNames),
                secrets.isEmpty ? nil : try box.seal(secrets), try Columns.encode(changes),
                version.createdAt.timeIntervalSince1970, actor,
            ])
        try db.execute(sql: "UPDATE apps SET config_version = ? WHERE name = ?", arguments: [number, app])
        return version
    }

    static func currentConfigVersion(_ db: any SQLSession, app: String) throws -> ConfigVersion? {
        guard let number = try Int.fetchOne(db, sql: "SELECT config_version FROM apps WHERE name = ?", arguments: [app]) else {
            return nil
        }
        return try loadConfigVersion(db, app: app, version: number)
    }

    static func loadConfigVersion(_ db: any SQLSession, app: String, version: Int) throws -> ConfigVersion {
        guard let row = try SQLRow.fetchOne(
            db, sql: "SELECT * FROM config_versions WHERE app = ? AND version = ?", arguments: [app, version])
        else { throw StoreError.notFound("Config version v\(version) of app '\(app)' not found") }
        return try decodeConfigVersion(row)
    }

    static func openSecrets(_ db: any SQLSession, box: SecretBox, app: String, version: Int) throws -> [String: String] {
        guard let sealed = try Data.fetchOne(
            db, sql: "SELECT sealed_secrets FROM config_versions WHERE app = ? AND version = ?", arguments: [app, version])
        else { return [:] }
        return try box.open(sealed)
    }

    static func decodeConfigVersion(_ row: SQLRow) throws -> ConfigVersion {
        ConfigVersion(
            app: row["app"],
            version: row["version"],
            vars: try Columns.decode([String: String].self, row["vars"]),
            secretNames: try Columns.decode([String].self, row["secret_names"]),
            changes: try Columns.decode([String].self, row["changes"]),
            createdAt: Columns.date(row, "created_at"),
            createdBy: row["created_by"]
        )
    }
}
