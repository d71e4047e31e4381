import Crypto
import Foundation
import PvdifyModel

extension Store {
    /// Creates a token; returns it with its secret, which is never stored (only its SHA-256).
    public func createToken(
        name: String, scopes: [Scope], apps: [String]?, expiresAt: Date? = nil
    ) async throws -> (APIToken, secret: String) {
        let secret = Self.newTokenSecret()
        let token = try await insertToken(name: name, scopes: scopes, apps: apps, expiresAt: expiresAt, secret: secret)
        return (token, secret)
    }

    /// Makes sure a token with this exact secret exists (the bootstrap admin token); true if created.
    @discardableResult
    public func ensureToken(name: String, scopes: [Scope], secret: String) async throws -> Bool {
        let hash = Self.hash(secret)
        let exists = try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE hash = ?", arguments: [hash]) == true
        }
        guard !exists else { return false }
        var candidate = name
        var suffix = 2
        while true {
            do {
                _ = try await insertToken(name: candidate, scopes: scopes, apps: nil, expiresAt: nil, secret: secret)
                return true
            } catch StoreError.conflict {
                candidate = "\(name)-\(suffix)"
                suffix += 1
            }
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await read { db in try SQLRow.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at, name").map(Self.decodeToken) }
    }

    /// Deletes a token. When this returns, no request with it is admitted again: the cache is
    /// emptied and its generation bumped, so a lookup that read the token before the delete
    /// cannot put it back (see `authenticate`).
    public func revokeToken(id: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound("Token '\(id)' not found") }
        }
        tokenCache.withLock { cache in
            cache.generation += 1
            cache.entries.removeAll()
        }
    }

    /// The token whose secret this is, or nil (unknown, revoked or expired). Looks up by SHA-256,
    /// then compares the digests in constant time. `last_used_at` is refreshed at most once a
    /// minute, to keep reads cheap.
    public func authenticate(secret: String, now: Date = Date()) async throws -> APIToken? {
        let hash = Self.hash(secret)
        // A revocation between our read and our cache insert would let a revoked token live on in
        // the cache; so the insert happens only if no revocation came in between, else we read again.
        for _ in 0..<8 {
            let (cached, generation) = tokenCache.withLock { ($0.entries[hash], $0.generation) }
            var found = cached
            if found == nil { found = try await storedToken(hash: hash) }
            guard var token = found else { return nil }
            if token.isExpired(at: now) {
                tokenCache.withLock { _ = $0.entries.removeValue(forKey: hash) }
                return nil
            }
            if (token.lastUsedAt.map { now.timeIntervalSince($0) > 60 } ?? true) {
                let used = now.timeIntervalSince1970.rounded(.down)
                let id = token.id
                try await database.write { db in
                    try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [used, id])
                }
                token.lastUsedAt = Date(timeIntervalSince1970: used)
            }
            let known = token
            let stillCurrent = tokenCache.withLock { cache in
                guard cache.generation == generation else { return false }
                cache.entries[hash] = known
                return true
            }
            if stillCurrent { return token }
        }
        // Revocations keep coming: answer from the database alone, caching nothing.
        guard let token = try await storedToken(hash: hash), !token.isExpired(at: now) else { return nil }
        return token
    }

    /// Whether a token with this id exists (it has not been revoked).
    public func tokenExists(id: String) async throws -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE id = ?", arguments: [id]) == true }
    }

    func storedToken(hash: Data) async throws -> APIToken? {
        try await read { db -> APIToken? in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM tokens WHERE hash = ?", arguments: [hash]),
                  Self.constantTimeEqual(row["hash"] as Data, hash)
            else { return nil }
            return try Self.decodeToken(row)
        }
    }

    func insertToken(name: String, scopes: [Scope], apps: [String]?, expiresAt: Date?, secret: String) async throws -> APIToken {
        let token = APIToken(
            id: "tok_" + Self.randomHex(bytes: 8), name: name, scopes: scopes, apps: apps,
            createdAt: Date.nowInSeconds, lastUsedAt: nil,
            expiresAt: expiresAt.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.up)) })
        let hash = Self.hash(secret)
        try await database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE name = ?", arguments: [name]) == true {
                throw StoreError.conflict("Token '\(name)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO tokens (id, name, hash, scopes, apps, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.id, name, hash, try Columns.encode(scopes.map(\.rawValue)),
                    try apps.map { try Columns.encode($0) }, token.createdAt.timeIntervalSince1970,
                    token.expiresAt?.timeIntervalSince1970,
                ])
        }
        return token
    }

    /// `pvd_` and 32 random bytes in hex: easy to spot in a leaked file, long enough to never guess.
    public static func newTokenSecret() -> String { "pvd_" + randomHex(bytes: 32) }

    /// Random bytes as lowercase hex (ids, verification tokens).
    public static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func decodeToken(_ row: SQLRow) throws -> APIToken {
        APIToken(
            id: row["id"],
            name: row["name"],
            scopes: try Columns.decode([String].self, row["scopes"]).compactMap(Scope.init(rawValue:)),
            apps: try (row["apps"] as String?).map { try Columns.decode([String].self, $0) },
            createdAt: Columns.date(row, "created_at"),
            lastUsedAt: Columns.optionalDate(row, "last_used_at"),
            expiresAt: Columns.optionalDate(row, "expires_at")
        )
    }
}

/// Authenticated tokens by secret hash, so a request costs no token query.
struct TokenCache {
    var entries: [Data: APIToken] = [:]
    /// Bumped by every revocation: an entry read before it may not be inserted after it.
    var generation = 0
}
