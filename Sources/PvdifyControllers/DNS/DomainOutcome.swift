import PvdifyDrivers

/// What a DNS pass found for one custom domain, before it is put into words.
public struct DomainOutcome: Sendable, Equatable {
    /// The domain's address record.
    public enum Address: Sendable, Equatable {
        /// Not observed yet.
        case pending
        /// pvdify's record is in place.
        case inPlace(DNSRecordFields)
        /// Records pvdify does not own hold the name.
        case conflict([DNSRecord])
        /// No zone of the account covers the domain.
        case noZone
        /// `--dns-target` is not set (or not valid).
        case noTarget
    }

    /// The domain's verification TXT record.
    public enum Verification: Sendable, Equatable {
        /// Nobody asked for verification.
        case notAsked
        /// The TXT record with the token is in place, as read back from the API.
        case confirmed(token: String)
        /// Written, not yet confirmed; the pass comes back soon.
        case unconfirmed(token: String)
        /// No zone covers the domain: the user must create the record.
        case noZone(token: String)
    }

    /// The address record's state.
    public var address: Address
    /// The verification record's state.
    public var verification: Verification

    /// Makes an outcome.
    public init(address: Address, verification: Verification) {
        self.address = address
        self.verification = verification
    }
}
