import Foundation
import GRDB
import PvdifyModel

extension Store {
    /// Writes what a reconciler observed. Never touches the spec, and announces nothing: status
    /// is an output, not a change of desired state.
    public func writeStatus(_ app: String, _ status: AppStatus) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE name = ?", arguments: [app]) == true else { return }
            try db.execute(
                sql: """
                    INSERT INTO app_status (app, status, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(app) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [app, try Columns.encode(status), Date().timeIntervalSince1970])
        }
    }
}
