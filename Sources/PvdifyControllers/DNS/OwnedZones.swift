/// Which zones hold records marked for each app: found by the resync's scan of every zone and kept
/// up to date by each pass, so that a pass looks for an app's records (orphans of removed domains
/// included) only in the zones that can hold them.
actor OwnedZones {
    private var zones: [String: Set<String>] = [:]

    /// Zones that may hold records of `app`.
    func zones(of app: String) -> Set<String> { zones[app] ?? [] }

    /// After a pass: exactly the zones that hold the app's records now.
    func set(_ app: String, _ ids: Set<String>) { zones[app] = ids.isEmpty ? nil : ids }

    /// After a scan: add what it found (a pass running meanwhile may know better, so nothing is dropped).
    func merge(_ found: [String: Set<String>]) {
        for (app, ids) in found { zones[app, default: []].formUnion(ids) }
    }
}
