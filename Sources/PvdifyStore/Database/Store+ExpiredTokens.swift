import Foundation

extension Store {
    /// Deletes tokens whose name starts with `namePrefix` and that expired before `cutoff`;
    /// answers how many. Tokens made for every CI run would otherwise pile up forever.
    @discardableResult
    public func deleteExpiredTokens(namePrefix: String, expiredBefore cutoff: Date) async throws -> Int {
        let pattern = namePrefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let deleted = try await database.write { db in
            try db.execute(
                sql: "DELETE FROM tokens WHERE name LIKE ? ESCAPE '\\' AND expires_at IS NOT NULL AND expires_at < ?",
                arguments: [pattern, cutoff.timeIntervalSince1970])
            return db.changesCount
        }
        if deleted > 0 {
            tokenCache.withLock { cache in
                cache.generation += 1
                cache.entries.removeAll()
            }
        }
        return deleted
    }
}
