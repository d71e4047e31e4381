import PvdifyDrivers

/// The zones the token can see, listed again at every resync (or when older than `maxAge`), so a
/// pass costs no zone listing of its own.
actor ZoneCache {
    private var zones: [CloudflareZone]?
    private var listedAt: ContinuousClock.Instant?

    /// The zones, listing them if they are unknown or older than `maxAge`.
    func zones(_ client: CloudflareClient, maxAge: Duration) async throws -> [CloudflareZone] {
        if let zones, let listedAt, ContinuousClock.now - listedAt < maxAge { return zones }
        return try await refresh(client)
    }

    /// Lists the zones now.
    func refresh(_ client: CloudflareClient) async throws -> [CloudflareZone] {
        let listed = try await client.zones()
        zones = listed
        listedAt = .now
        return listed
    }
}
