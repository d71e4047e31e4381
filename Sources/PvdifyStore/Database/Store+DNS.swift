import Foundation
import PvdifyModel

/// The DNS reconciler's writes: its own report columns on a domain, and the one move of `status` it
/// makes (`verifying` to `active`). Status is an output, so nothing here is announced on `changes`.
extension Store {
    /// Records the DNS report on a domain; a domain removed meanwhile is ignored.
    public func setDomainDNS(_ name: String, _ dns: DomainDNS?) async throws {
        try await statusWrite { db in
            try db.execute(
                sql: "UPDATE domains SET dns_status = ?, dns_message = ? WHERE name = ?",
                arguments: [dns?.state.rawValue, dns?.message, name])
        }
    }

    /// Moves a domain from `verifying` to `active` once its TXT record with `token` is confirmed.
    /// Does nothing (and answers false) when verification was asked again meanwhile with a new token,
    /// or the domain is no longer `verifying`.
    @discardableResult
    public func markDomainVerified(_ name: String, token: String) async throws -> Bool {
        try await statusWrite { db in
            try db.execute(
                sql: "UPDATE domains SET status = ? WHERE name = ? AND status = ? AND verify_token = ?",
                arguments: [DomainStatus.active.rawValue, name, DomainStatus.verifying.rawValue, token])
            return db.changesCount > 0
        }
    }

    /// The DNS report columns of a domain row; nil before the DNS reconciler has reported.
    static func decodeDomainDNS(_ row: SQLRow) -> DomainDNS? {
        guard let text = row["dns_status"] as String?, let state = DomainDNSState(rawValue: text) else { return nil }
        return DomainDNS(state: state, message: row["dns_message"])
    }
}
