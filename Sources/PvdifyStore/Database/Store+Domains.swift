import Foundation
import PvdifyModel

extension Store {
    public func domains(_ app: String) async throws -> [Domain] {
        try await read { db in
            _ = try Self.loadApp(db, app)
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM domains WHERE app = ? ORDER BY created_at, name", arguments: [app])
                .map(Self.decodeDomain)
        }
    }

    /// Every domain of every app (for the route and DNS reconcilers).
    public func allDomains() async throws -> [Domain] {
        try await read { db in try SQLRow.fetchAll(db, sql: "SELECT * FROM domains ORDER BY name").map(Self.decodeDomain) }
    }

    /// Adds a (validated, lowercase) hostname to an app; a hostname any app uses is a conflict.
    public func addDomain(_ app: String, name: String) async throws -> Domain {
        try await write { db in
            _ = try Self.loadApp(db, app)
            let domain = try Self.insertDomain(db, app: app, name: name)
            return (domain, [Change(app, .domains)])
        }
    }

    public func removeDomain(_ app: String, name: String) async throws {
        try await write { db in
            _ = try Self.loadApp(db, app)
            try db.execute(sql: "DELETE FROM domains WHERE app = ? AND name = ?", arguments: [app, name])
            guard db.changesCount > 0 else { throw StoreError.notFound("Domain '\(name)' not found on app '\(app)'") }
            return ((), [Change(app, .domains)])
        }
    }

    /// Records a verification request: the token to publish and the `verifying` state.
    public func requestVerification(_ app: String, name: String, token: String) async throws -> Domain {
        try await write { db in
            _ = try Self.loadApp(db, app)
            try db.execute(
                sql: "UPDATE domains SET verify_token = ?, status = ? WHERE app = ? AND name = ?",
                arguments: [token, DomainStatus.verifying.rawValue, app, name])
            guard db.changesCount > 0 else { throw StoreError.notFound("Domain '\(name)' not found on app '\(app)'") }
            let domain = try Self.decodeDomain(
                try SQLRow.fetchOne(db, sql: "SELECT * FROM domains WHERE name = ?", arguments: [name])!)
            return (domain, [Change(app, .domains)])
        }
    }

    /// Records what a reconciler observed about a domain.
    public func setDomainStatus(_ name: String, status: DomainStatus, ssl: Bool, message: String?) async throws {
        try await statusWrite { db in
            try db.execute(
                sql: "UPDATE domains SET status = ?, ssl = ?, message = ? WHERE name = ?",
                arguments: [status.rawValue, ssl, message, name])
        }
    }

    static func insertDomain(_ db: any SQLSession, app: String, name: String) throws -> Domain {
        if let owner = try String.fetchOne(db, sql: "SELECT app FROM domains WHERE name = ?", arguments: [name]) {
            throw StoreError.conflict(
                owner == app ? "Domain '\(name)' is already on app '\(app)'" : "Domain '\(name)' is already used by another app")
        }
        let domain = Domain(
            name: name, app: app, status: .provisioning, ssl: false, verifyToken: nil, message: nil, createdAt: Date.nowInSeconds)
        try db.execute(
            sql: "INSERT INTO domains (name, app, status, ssl, created_at) VALUES (?, ?, ?, 0, ?)",
            arguments: [name, app, domain.status.rawValue, domain.createdAt.timeIntervalSince1970])
        return domain
    }

    static func decodeDomain(_ row: SQLRow) throws -> Domain {
        Domain(
            name: row["name"],
            app: row["app"],
            status: DomainStatus(rawValue: row["status"]) ?? .provisioning,
            ssl: row["ssl"],
            verifyToken: row["verify_token"],
            message: row["message"],
            createdAt: Columns.date(row, "created_at"),
            dns: decodeDomainDNS(row)
        )
    }
}
