/// What the DNS reconciler reports about one custom domain, apart from the domain's `status` (which
/// the route reconciler owns): whether its Cloudflare record is in place, and why not.
public struct DomainDNS: Sendable, Equatable, Codable {
    /// The DNS state.
    public var state: DomainDNSState
    /// A sentence for people: the record pvdify keeps, or what to do.
    public var message: String?

    /// Makes a report.
    public init(state: DomainDNSState, message: String?) {
        self.state = state
        self.message = message
    }
}

/// The DNS states of a custom domain.
public enum DomainDNSState: String, Sendable, Codable, CaseIterable {
    /// No Cloudflare token: pvdify does not manage DNS; the domain still routes through Caddy.
    case unmanaged
    /// pvdify's record points the domain at the DNS target (and its verification TXT is in place, if asked).
    case ready
    /// A record of the same name that pvdify does not own is in the way; pvdify changes nothing.
    case conflict
    /// No zone of the account covers the domain: its DNS is managed elsewhere.
    case noZone = "no_zone"
    /// The token is invalid, the target is missing, or Cloudflare keeps failing.
    case error
}
