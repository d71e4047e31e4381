import Foundation
import GRDB
import PvdifyModel

extension Store {
    /// Changes an app's status in one transaction, so reconcilers that own different fields never
    /// overwrite each other. Never touches the spec. Announces the app on `statusChanges` when the
    /// status really changed (status is an output: it is not announced on `changes`).
    public func updateStatus(_ app: String, _ change: @escaping @Sendable (inout AppStatus) -> Void) async throws {
        let changed = try await pool.write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE name = ?", arguments: [app]) == true else { return false }
            let previous = try String.fetchOne(db, sql: "SELECT status FROM app_status WHERE app = ?", arguments: [app])
                .map { try Columns.decode(AppStatus.self, $0) }
            var status = previous ?? AppStatus()
            change(&status)
            guard status != previous else { return false }
            try db.execute(
                sql: """
                    INSERT INTO app_status (app, status, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(app) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [app, try Columns.encode(status), Date().timeIntervalSince1970])
            return true
        }
        if changed {
            viewCache.invalidate([app])
            statusChanges.publish([app])
        }
    }

    /// Replaces an app's whole status (tests, and reconcilers that own all of it).
    public func writeStatus(_ app: String, _ status: AppStatus) async throws {
        try await updateStatus(app) { $0 = status }
    }
}
