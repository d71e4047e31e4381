import Foundation
import PvdifyModel
import Synchronization

extension Store {
    /// Changes an app's status in one transaction, so reconcilers that own different fields never
    /// overwrite each other. Never touches the spec. Announces the app on `changes` (kind `upstreams`,
    /// `routed` or `status`) when the status really changed.
    public func updateStatus(_ app: String, _ change: @escaping @Sendable (inout AppStatus) -> Void) async throws {
        var report = StatusReport(app: app)
        report.status = change
        try await self.report([report])
    }

    /// Replaces an app's whole status (tests, and reconcilers that own all of it).
    public func writeStatus(_ app: String, _ status: AppStatus) async throws {
        try await updateStatus(app) { $0 = status }
    }

    /// Writes what a pass learned, for one app or many, in one transaction, and only if something
    /// changes: a status that the change leaves as it is (checked first against the cached view,
    /// so a steady pass costs no write at all) is not written. Answers the domains verified.
    @discardableResult
    public func report(_ reports: [StatusReport]) async throws -> [String] {
        var pending: [StatusReport] = []
        for report in reports {
            if !report.hasRecords, let change = report.status {
                let current: AppStatus?
                do {
                    current = try await app(report.app).status
                } catch StoreError.notFound {
                    continue
                }
                var next = current ?? AppStatus()
                change(&next)
                if next == current { continue }
            }
            if report.hasRecords || report.status != nil { pending.append(report) }
        }
        guard !pending.isEmpty else { return [] }
        let writing = pending
        let (changed, verified) = try await statusWrite { db -> ([Change], [String]) in
            var changed: [Change] = []
            var verified: [String] = []
            for report in writing {
                changed += try Self.apply(report, db, verified: &verified)
            }
            return (changed, verified)
        }
        statusWrites.add(1, ordering: .relaxed)
        if !changed.isEmpty {
            viewCache.invalidate(changed.map(\.app))
            changes.publish(changed)
        }
        return verified
    }

    /// Write transactions of status reports so far (benchmarks and tests count them).
    public var statusWriteCount: Int { statusWrites.load(ordering: .relaxed) }

    static func apply(_ report: StatusReport, _ db: any SQLSession, verified: inout [String]) throws -> [Change] {
        let app = report.app
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE name = ?", arguments: [app]) == true else { return [] }
        let now = Date().timeIntervalSince1970
        for (version, line) in report.releaseLog {
            try db.execute(
                sql: "INSERT INTO release_log (app, version, at, line) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM releases WHERE app = ? AND version = ?)",
                arguments: [app, version, now, line, app, version])
        }
        for (version, status) in report.releaseStatuses {
            try db.execute(
                sql: "UPDATE releases SET status = ? WHERE app = ? AND version = ?", arguments: [status.rawValue, app, version])
        }
        for domain in report.domainStates {
            try db.execute(
                sql: "UPDATE domains SET status = ?, ssl = ?, message = ? WHERE name = ?",
                arguments: [domain.status.rawValue, domain.ssl, domain.message, domain.name])
        }
        for (name, dns) in report.domainDNS {
            try db.execute(
                sql: "UPDATE domains SET dns_status = ?, dns_message = ? WHERE name = ?",
                arguments: [dns?.state.rawValue, dns?.message, name])
        }
        for (name, token) in report.verified {
            try db.execute(
                sql: "UPDATE domains SET status = ? WHERE name = ? AND status = ? AND verify_token = ?",
                arguments: [DomainStatus.active.rawValue, name, DomainStatus.verifying.rawValue, token])
            if db.changesCount > 0 { verified.append(name) }
        }
        var changed: [Change] = []
        if !report.domainStates.isEmpty || !report.domainDNS.isEmpty || !report.releaseStatuses.isEmpty {
            changed.append(Change(app, .status))
        }
        guard let change = report.status else { return changed }
        let previous = try String.fetchOne(db, sql: "SELECT status FROM app_status WHERE app = ?", arguments: [app])
            .map { try Columns.decode(AppStatus.self, $0) }
        var status = previous ?? AppStatus()
        change(&status)
        guard status != previous else { return changed }
        try db.execute(
            sql: """
                INSERT INTO app_status (app, status, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(app) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                """,
            arguments: [app, try Columns.encode(status), now])
        if status.upstreams != previous?.upstreams ?? [] { changed.append(Change(app, .upstreams)) }
        if status.routedUpstreams != previous?.routedUpstreams ?? [] { changed.append(Change(app, .routed)) }
        changed.append(Change(app, .status))
        return changed
    }
}
