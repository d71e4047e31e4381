import Foundation
import PvdifySealing

extension Store {
    /// The server's sealing key pair, made on first use (pvdifyd asks at start): an age X25519
    /// identity whose private half is stored sealed with the secret key, like app secrets, so a
    /// backup holds it and only the secret key opens it. Two callers racing on first use get the
    /// same key: the first insert wins and both read it back.
    public func sealingKey() async throws -> SealingKey {
        let box = secrets
        if let key = try await read({ db in try Self.loadSealingKey(db, box: box) }) { return key }
        return try await database.write { db in
            if let key = try Self.loadSealingKey(db, box: box) { return key }
            let identity = AgeIdentity.generate()
            let now = Date.nowInSeconds
            try db.execute(
                sql: "INSERT INTO sealing_key (id, recipient, sealed_identity, created_at) VALUES (1, ?, ?, ?)",
                arguments: [
                    identity.recipient.encoded, try Self.seal(identity, box), now.timeIntervalSince1970,
                ])
            return SealingKey(identity: identity, createdAt: now)
        }
    }

    /// Makes a new key pair the current one and retires the one it replaces (its stored row moves
    /// as it is), which still opens what was sealed to it. Two rotations at once: one wins, the
    /// other is a conflict.
    public func rotateSealingKey() async throws -> SealingKey {
        let current = try await sealingKey().recipient
        let box = secrets
        return try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO retired_sealing_keys (recipient, sealed_identity, created_at, retired_at)
                    SELECT recipient, sealed_identity, created_at, ? FROM sealing_key WHERE id = 1 AND recipient = ?
                    ON CONFLICT (recipient) DO NOTHING
                    """,
                // To the microsecond, not the second: retired pairs are listed newest first.
                arguments: [Date().timeIntervalSince1970, current])
            let identity = AgeIdentity.generate()
            try db.execute(
                sql: "UPDATE sealing_key SET recipient = ?, sealed_identity = ?, created_at = ? WHERE id = 1 AND recipient = ?",
                arguments: [identity.recipient.encoded, try Self.seal(identity, box), Date.nowInSeconds.timeIntervalSince1970, current])
            guard db.changesCount == 1 else { throw StoreError.conflict("the sealing key was rotated meanwhile; see GET /api/v1/sealing-key") }
            guard let key = try Self.loadSealingKey(db, box: box) else { throw SealingKeyUnreadable() }
            return key
        }
    }

    /// Forgets every retired key pair: what was sealed to them no longer opens. Answers how many.
    public func forgetRetiredSealingKeys() async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM retired_sealing_keys")
            return db.changesCount
        }
    }

    static func loadSealingKey(_ db: any SQLSession, box: SecretBox) throws -> SealingKey? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT sealed_identity, created_at FROM sealing_key WHERE id = 1") else {
            return nil
        }
        let retired = try SQLRow.fetchAll(
            db, sql: "SELECT sealed_identity, created_at, retired_at FROM retired_sealing_keys ORDER BY retired_at DESC, recipient"
        ).map { row in
            SealingKey.Retired(
                identity: try openIdentity(row, box: box), createdAt: Columns.date(row, "created_at"),
                retiredAt: Columns.date(row, "retired_at"))
        }
        return SealingKey(identity: try openIdentity(row, box: box), createdAt: Columns.date(row, "created_at"), retired: retired)
    }

    /// An identity's private half, sealed with the secret key as it is stored.
    private static func seal(_ identity: AgeIdentity, _ box: SecretBox) throws -> Data {
        try box.seal(["identity": identity.secretKeyString])
    }

    private static func openIdentity(_ row: SQLRow, box: SecretBox) throws -> AgeIdentity {
        guard let text = try box.open(row["sealed_identity"])["identity"] else { throw SealingKeyUnreadable() }
        return try AgeIdentity(text)
    }
}

/// The stored sealing key opened with the secret key but is not an identity: the store is damaged.
struct SealingKeyUnreadable: Error, CustomStringConvertible {
    var description: String { "the stored sealing key is unreadable" }
}
