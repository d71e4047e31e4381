import PvdifyDrivers

/// Finds the zone a domain's records belong in: the longest zone name the domain equals or ends in
/// (`a.shop.example.com` goes to `shop.example.com` when the account has it, else `example.com`).
public enum ZoneMatcher {
    /// The zone for `domain`, or nil when no zone of the account covers it.
    public static func zone(for domain: String, in zones: [CloudflareZone]) -> CloudflareZone? {
        let domain = domain.lowercased()
        return zones
            .filter { domain == $0.name || domain.hasSuffix("." + $0.name) }
            .max { $0.name.count < $1.name.count }
    }
}
