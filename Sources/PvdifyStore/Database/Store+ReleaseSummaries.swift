import Foundation
import PvdifyModel

/// What a list of apps shows of their releases.
public struct ReleaseSummary: Sendable, Equatable {
    /// The active release's version, if one is active.
    public var activeVersion: Int?
    /// When the newest release was made (the last deploy, rollback or config change).
    public var lastCreatedAt: Date

    public init(activeVersion: Int?, lastCreatedAt: Date) {
        self.activeVersion = activeVersion
        self.lastCreatedAt = lastCreatedAt
    }
}

extension Store {
    /// Every app's release summary, by app name, in one read (an app list of any size is one query).
    public func releaseSummaries() async throws -> [String: ReleaseSummary] {
        try await read { db in
            let rows = try SQLRow.fetchAll(db, sql: """
                SELECT app, MAX(CASE WHEN status = 'active' THEN version END) AS active, MAX(created_at) AS last
                FROM releases GROUP BY app
                """)
            var summaries: [String: ReleaseSummary] = [:]
            for row in rows {
                summaries[row["app"]] = ReleaseSummary(activeVersion: row["active"], lastCreatedAt: Columns.date(row, "last"))
            }
            return summaries
        }
    }
}
