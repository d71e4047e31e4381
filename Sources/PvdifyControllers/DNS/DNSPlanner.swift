import PvdifyDrivers

/// The pure decisions of a DNS pass: how the records pvdify owns in a zone differ from the records it
/// wants, and what to do about a wanted record that pvdify does not have yet.
public enum DNSPlanner {
    /// What one zone's owned records need.
    public struct ZonePlan: Sendable, Equatable {
        /// Wanted records that are already right, with the record that is.
        public var inPlace: [Placed] = []
        /// Owned records to overwrite (a hand edit, a new target, a new token).
        public var overwrite: [Placed] = []
        /// Wanted records pvdify owns nothing for: look at the name first (a conflict, a record to adopt).
        public var missing: [DesiredRecord] = []
        /// Owned records nothing wants: their domain is gone, or they are extras.
        public var delete: [DNSRecord] = []
        /// Owned records left alone: nothing of this app wants them, but another domain's name claims them
        /// (a domain moved to another app, which adopts the record).
        public var keep: [DNSRecord] = []

        /// Makes an empty plan.
        public init() {}
    }

    /// A wanted record with the existing record it concerns.
    public struct Placed: Sendable, Equatable {
        /// The wanted record.
        public var desired: DesiredRecord
        /// The existing record.
        public var record: DNSRecord

        /// Pairs them.
        public init(desired: DesiredRecord, record: DNSRecord) {
            self.desired = desired
            self.record = record
        }
    }

    /// Diffs one zone. - Parameters:
    ///   - desired: what the app wants in this zone.
    ///   - owned: the records in this zone marked as the app's.
    ///   - claimed: every name some domain of any app wants (domain names, and verification names of
    ///     domains with a token); an owned record at such a name is never deleted as an orphan.
    public static func plan(desired: [DesiredRecord], owned: [DNSRecord], claimed: Set<String>) -> ZonePlan {
        var plan = ZonePlan()
        var remaining = owned
        for wanted in desired {
            let candidates = remaining.filter { $0.name == wanted.fields.name && RecordFamily.of($0.type) == wanted.family }
            remaining.removeAll { record in candidates.contains { $0.id == record.id } }
            if let exact = candidates.first(where: { matches($0, wanted.fields) }) {
                plan.inPlace.append(Placed(desired: wanted, record: exact))
                plan.delete += candidates.filter { $0.id != exact.id }
            } else if let first = candidates.first {
                plan.overwrite.append(Placed(desired: wanted, record: first))
                plan.delete += candidates.dropFirst()
            } else {
                plan.missing.append(wanted)
            }
        }
        for record in remaining {
            if claimed.contains(record.name) { plan.keep.append(record) } else { plan.delete.append(record) }
        }
        return plan
    }

    /// What to do about a wanted record pvdify owns nothing for, given every record at its name.
    public enum Resolution: Sendable, Equatable {
        /// Nothing is in the way: create it.
        case create
        /// A record marked by pvdify (for another app, or with an altered comment) is there: overwrite it.
        case adopt(DNSRecord)
        /// Records pvdify does not own are in the way: change nothing and say so.
        case conflict([DNSRecord])
        /// A record pvdify does not own already says what is wanted (a verification TXT made by hand).
        case satisfied(DNSRecord)
    }

    /// Decides about a missing record from the records at its name.
    public static func resolve(_ wanted: DesiredRecord, sameName: [DNSRecord]) -> Resolution {
        let family = sameName.filter { $0.name == wanted.fields.name && RecordFamily.of($0.type) == wanted.family }
        switch wanted.purpose {
        case .address:
            let foreign = family.filter { DNSMarker.owner(of: $0.comment) == nil }
            if !foreign.isEmpty { return .conflict(foreign) }
            if let marked = family.first { return .adopt(marked) }
            return .create
        case .verification(let token):
            if let proof = family.first(where: { normalizedContent($0.type, $0.content) == token }) { return .satisfied(proof) }
            if let marked = family.first(where: { DNSMarker.owner(of: $0.comment) != nil }) { return .adopt(marked) }
            // Other TXT records may share the name: TXT records coexist.
            return .create
        }
    }

    /// Whether an existing record says exactly what pvdify would write.
    public static func matches(_ record: DNSRecord, _ fields: DNSRecordFields) -> Bool {
        record.type.uppercased() == fields.type.uppercased()
            && record.name.lowercased() == fields.name.lowercased()
            && normalizedContent(record.type, record.content) == normalizedContent(fields.type, fields.content)
            && record.fields.ttl == fields.ttl
            && (!DNSRecordFields.proxiableTypes.contains(fields.type) || record.fields.proxied == fields.proxied)
            && record.comment == fields.comment
    }

    /// Content as compared: hostnames and IPv6 lowercase without a trailing dot, TXT without quotes.
    public static func normalizedContent(_ type: String, _ content: String) -> String {
        switch type.uppercased() {
        case "CNAME", "AAAA":
            var value = content.lowercased()
            if value.hasSuffix(".") { value.removeLast() }
            return value
        case "TXT":
            if content.count >= 2, content.hasPrefix("\""), content.hasSuffix("\"") { return String(content.dropFirst().dropLast()) }
            return content
        default:
            return content
        }
    }
}
