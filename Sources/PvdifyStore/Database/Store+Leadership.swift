import Foundation

/// Who leads the pvdifyd replicas on one database: the holder of the lease row, until it expires.
public struct LeaderLease: Sendable, Equatable {
    /// The replica holding the lease.
    public var holder: String
    /// Incremented each time the lease changes hands; status writes carry it (`Store.fence(with:)`).
    public var token: Int64
    public var expiresAt: Date
}

/// Leadership: a lease row with an expiry and a fencing token. Only the leader runs reconcilers,
/// and every status write checks, in its own transaction, that the token it carries is still the
/// lease's: a replica deposed while a write was under way cannot overwrite its successor's status.
extension Store {
    /// Takes the lease for `holder` (free, expired, or already its own) until `now + duration`, or
    /// leaves it with its current holder. Answers the lease as it stands afterwards; `holder` leads
    /// when it is the lease's holder. A new holder gets the next fencing token; a renewal keeps it.
    public func claimLeadership(holder: String, for duration: TimeInterval, now: Date = Date()) async throws -> LeaderLease {
        try await database.write { db in
            let until = now.addingTimeInterval(duration)
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT holder, token, expires_at FROM leader_lease WHERE id = 1") else {
                try db.execute(
                    sql: "INSERT INTO leader_lease (id, holder, token, expires_at) VALUES (1, ?, 1, ?)",
                    arguments: [holder, until.timeIntervalSince1970])
                return LeaderLease(holder: holder, token: 1, expiresAt: until)
            }
            let current = LeaderLease(holder: row["holder"], token: row["token"], expiresAt: Columns.date(row, "expires_at"))
            if current.holder != holder, current.expiresAt > now { return current }
            let next = LeaderLease(holder: holder, token: current.holder == holder ? current.token : current.token + 1, expiresAt: until)
            try db.execute(
                sql: "UPDATE leader_lease SET holder = ?, token = ?, expires_at = ? WHERE id = 1",
                arguments: [holder, next.token, until.timeIntervalSince1970])
            return next
        }
    }

    /// Gives the lease up at once (a graceful shutdown), so another replica need not wait for it
    /// to expire. Does nothing when `holder` no longer holds it.
    public func releaseLeadership(holder: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE leader_lease SET expires_at = 0 WHERE id = 1 AND holder = ?", arguments: [holder])
        }
    }

    /// The installation's id kept in the database (made on first call): replicas on one
    /// PostgreSQL database label containers with it, so the leader of the moment owns all of them.
    public func installationID() async throws -> String {
        let candidate = Self.randomHex(bytes: 6)
        return try await database.write { db in
            try db.execute(
                sql: "INSERT INTO installation (id, instance_id) VALUES (1, ?) ON CONFLICT DO NOTHING", arguments: [candidate])
            return try String.fetchOne(db, sql: "SELECT instance_id FROM installation WHERE id = 1") ?? candidate
        }
    }

    /// From now on status writes carry `token` and are refused once the lease has another; nil
    /// (one server, no lease) writes without a check.
    public func fence(with token: Int64?) {
        fencingToken.store(token ?? 0, ordering: .relaxed)
    }

    /// A write of status (what reconcilers observed), refused with `StoreError.conflict` when this
    /// store carries a fencing token that is no longer the lease's.
    func statusWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        let token = fencingToken.load(ordering: .relaxed)
        return try await database.write { db in
            if token != 0 {
                let current = try Int64.fetchOne(db, sql: "SELECT token FROM leader_lease WHERE id = 1")
                guard current == token else {
                    throw StoreError.conflict("this pvdifyd no longer leads (fencing token \(token), the lease's is \(current.map(String.init) ?? "none"))")
                }
            }
            return try body(db)
        }
    }

    /// A write of desired state that only a reconciler makes (a GitOps sync, preview upkeep,
    /// GitHub deployment records): fenced like status, so a deposed leader cannot apply an old
    /// revision over its successor's, and published to the change feed like any write.
    func leaderWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> (T, changed: [Change])) async throws -> T {
        let (value, changed) = try await statusWrite(body)
        viewCache.invalidate(changed.map(\.app))
        changes.publish(changed)
        return value
    }
}
