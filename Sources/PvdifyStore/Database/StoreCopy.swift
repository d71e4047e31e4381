import Foundation

/// Copies a whole store from one database to another (`pvdifyd migrate`): every row as it is, so
/// secrets and the sealing key stay encrypted with the same secret key.
public enum StoreCopy {
    /// The tables in an order that satisfies their foreign keys. The lease is not copied: the
    /// target's replicas elect their own leader.
    static let tables = [
        "apps", "app_status", "releases", "release_log", "config_versions", "domains", "tokens", "audit_log",
        "sources", "source_status", "app_owners", "sealing_key", "retired_sealing_keys", "previews", "github_installations",
        "github_installation_repositories", "github_app_key", "github_deployments", "installation",
    ]

    /// Copies every row of `source` into `target` in one transaction, and answers the rows copied
    /// by table. `instanceID` (the data directory's, which the running containers carry) becomes
    /// the target's installation id, so a pvdifyd on the target adopts those containers. Refuses a
    /// target that already holds apps or tokens, and never merges.
    @discardableResult
    public static func copy(from source: any StoreDatabase, to target: any StoreDatabase, instanceID: String?) async throws -> [String: Int] {
        var rowsByTable: [String: [SQLRow]] = [:]
        // One read transaction: one consistent snapshot, even while a daemon writes.
        let snapshot = try await source.read { db in
            try tables.map { table -> (String, [SQLRow]) in
                // Parents before their previews (apps.preview_of).
                let order = table == "apps" ? " ORDER BY preview_of IS NOT NULL, name" : ""
                return (table, try SQLRow.fetchAll(db, sql: "SELECT * FROM \(table)\(order)"))
            }
        }
        for (table, rows) in snapshot { rowsByTable[table] = rows }
        if let instanceID {
            rowsByTable["installation"] = [SQLRow(columns: ["id", "instance_id"], values: [.integer(1), .text(instanceID)])]
        }
        let copied = rowsByTable
        return try await target.write { db in
            let used = try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM apps) + (SELECT COUNT(*) FROM tokens)") ?? 0
            guard used == 0 else {
                throw StoreError.conflict("the target database already holds a store (apps or tokens); migrate only into an empty one")
            }
            try db.execute(sql: "DELETE FROM installation")
            var counts: [String: Int] = [:]
            for table in tables {
                let rows = copied[table] ?? []
                for row in rows {
                    let placeholders = Array(repeating: "?", count: row.columns.count).joined(separator: ", ")
                    try db.execute(
                        sql: "INSERT INTO \(table) (\(row.columns.joined(separator: ", "))) VALUES (\(placeholders))",
                        arguments: SQLArguments(row.values))
                }
                counts[table] = rows.count
            }
            // Identity columns continue after the copied ids.
            if db.dialect == .postgres {
                for table in ["release_log", "audit_log"] {
                    _ = try SQLRow.fetchAll(
                        db, sql: "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)")
                }
            }
            return counts
        }
    }
}
