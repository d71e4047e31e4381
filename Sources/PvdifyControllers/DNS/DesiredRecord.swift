import PvdifyDrivers
import PvdifyModel

/// One record pvdify wants in Cloudflare for a custom domain: the address record pointing the domain
/// at the DNS target, or the `_pvdify-verify.<domain>` TXT record proving ownership.
public struct DesiredRecord: Sendable, Equatable {
    /// What the record is for.
    public enum Purpose: Sendable, Equatable {
        /// `A`, `AAAA` or `CNAME` at the domain, pointing at `--dns-target`.
        case address
        /// `TXT` at `_pvdify-verify.<domain>` holding the verification token.
        case verification(token: String)
    }

    /// The custom domain it serves.
    public var domain: String
    /// What it is for.
    public var purpose: Purpose
    /// The record as pvdify writes it (with the ownership marker).
    public var fields: DNSRecordFields

    /// Makes a desired record.
    public init(domain: String, purpose: Purpose, fields: DNSRecordFields) {
        self.domain = domain
        self.purpose = purpose
        self.fields = fields
    }

    /// The records a domain of `app` needs: its address record when there is a target, and its TXT
    /// record while it has a verification token (kept after verification, as lasting proof).
    public static func records(for domain: Domain, app: String, target: DNSTarget?, proxied: Bool) -> [DesiredRecord] {
        let marker = DNSMarker.comment(app: app)
        var records: [DesiredRecord] = []
        if let target { records.append(address(of: domain.name, app: app, target: target, proxied: proxied)) }
        if let token = domain.verifyToken {
            // Quoted, as Cloudflare recommends for TXT content; comparisons strip the quotes.
            records.append(DesiredRecord(
                domain: domain.name, purpose: .verification(token: token),
                fields: DNSRecordFields(type: "TXT", name: domain.verifyRecordName, content: "\"\(token)\"", ttl: 1, proxied: false, comment: marker)))
        }
        return records
    }

    /// The address record pointing `name` (a domain of `app`, or a host it answers at) at the target.
    public static func address(of name: String, app: String, target: DNSTarget, proxied: Bool) -> DesiredRecord {
        DesiredRecord(
            domain: name, purpose: .address,
            fields: DNSRecordFields(
                type: target.type, name: name, content: target.content, ttl: 1, proxied: proxied, comment: DNSMarker.comment(app: app)))
    }

    /// The set of records at one name that this record stands for.
    public var family: RecordFamily { purpose == .address ? .address : .verification }
}

/// Records that share a name and purpose: at a domain, pvdify keeps one address record (A, AAAA and
/// CNAME exclude each other); at `_pvdify-verify.<domain>`, one TXT record.
public enum RecordFamily: Sendable, Equatable {
    /// `A`, `AAAA`, `CNAME`.
    case address
    /// `TXT`.
    case verification

    /// The family of a record type, or nil for types pvdify never writes.
    public static func of(_ type: String) -> RecordFamily? {
        switch type.uppercased() {
        case "A", "AAAA", "CNAME": .address
        case "TXT": .verification
        default: nil
        }
    }
}
