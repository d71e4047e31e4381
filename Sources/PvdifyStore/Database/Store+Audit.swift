import Foundation

extension Store {
    /// Records an audit entry; it is written by the next flush (at the latest when the store closes).
    public func recordAudit(_ entry: AuditEntry) {
        auditBuffer.append(entry)
    }

    /// Writes pending audit entries in one transaction, and trims the log when it is due.
    public func flushAudit(retention: AuditRetention = .standard) async throws {
        let entries = auditBuffer.take()
        if !entries.isEmpty {
            do {
                try await database.write { db in try Self.insertAudit(db, entries) }
            } catch {
                auditBuffer.putBack(entries)
                throw error
            }
        }
        if auditBuffer.noteWritten(entries.count, now: Date()) {
            try await trimAudit(retention: retention)
        }
    }

    /// Writes pending entries at once (when the store closes).
    func flushAuditNow() throws {
        let entries = auditBuffer.take()
        guard !entries.isEmpty else { return }
        try database.writeBlocking { db in try Self.insertAudit(db, entries) }
    }

    /// Deletes entries beyond `retention`, a batch per transaction so writers are never held up long.
    public func trimAudit(retention: AuditRetention, now: Date = Date()) async throws {
        let batch = 5_000
        while true {
            let deleted = try await database.write { db -> Int in
                let newest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit_log") ?? 0
                try db.execute(
                    sql: """
                        DELETE FROM audit_log WHERE id IN (
                            SELECT id FROM audit_log WHERE id <= ? OR at < ? ORDER BY id LIMIT ?)
                        """,
                    arguments: [newest - Int64(retention.maxEntries), now.timeIntervalSince1970 - retention.maxAge, batch])
                return db.changesCount
            }
            if deleted < batch { return }
        }
    }

    /// Audit entries matching `query`, newest first (pending ones included).
    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        try await flushAudit()
        return try await read { db in
            var conditions: [String] = []
            var arguments: SQLArguments = []
            if let app = query.app {
                // An apply records every app it names, separated by commas.
                conditions.append("(app = ? OR ',' || app || ',' LIKE ?)")
                arguments += [app, "%," + app + ",%"]
            }
            if let token = query.token {
                conditions.append("(token_id = ? OR token_name = ?)")
                arguments += [token, token]
            }
            if let since = query.since {
                conditions.append("at >= ?")
                arguments += [since.timeIntervalSince1970]
            }
            if let until = query.until {
                conditions.append("at <= ?")
                arguments += [until.timeIntervalSince1970]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit]
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM audit_log \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map { row in
                    AuditEntry(
                        id: row["id"], time: Columns.date(row, "at"), tokenID: row["token_id"], tokenName: row["token_name"],
                        source: row["source"], method: row["method"], route: row["route"], app: row["app"], status: row["status"])
                }
        }
    }

    static func insertAudit(_ db: any SQLSession, _ entries: [AuditEntry]) throws {
        for entry in entries {
            try db.execute(
                sql: """
                    INSERT INTO audit_log (at, token_id, token_name, source, method, route, app, status)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.time.timeIntervalSince1970, entry.tokenID, entry.tokenName, entry.source, entry.method, entry.route,
                    entry.app, entry.status,
                ])
        }
    }
}
