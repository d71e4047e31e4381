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
                    identity.recipient.encoded, try box.seal(["identity": identity.secretKeyString]), now.timeIntervalSince1970,
                ])
            return SealingKey(identity: identity, createdAt: now)
        }
    }

    static func loadSealingKey(_ db: any SQLSession, box: SecretBox) throws -> SealingKey? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT sealed_identity, created_at FROM sealing_key WHERE id = 1") else {
            return nil
        }
        guard let text = try box.open(row["sealed_identity"])["identity"] else { throw SealingKeyUnreadable() }
        return SealingKey(identity: try AgeIdentity(text), createdAt: Columns.date(row, "created_at"))
    }
}

/// The stored sealing key opened with the secret key but is not an identity: the store is damaged.
struct SealingKeyUnreadable: Error, CustomStringConvertible {
    var description: String { "the stored sealing key is unreadable" }
}
