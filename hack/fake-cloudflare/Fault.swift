/// A switchable fault: the next `count` API calls that match answer with `status` (429 with
/// `Retry-After`, 500, 503...) and/or only after `delayMilliseconds`.
struct Fault: Sendable {
    var status: Int?
    var retryAfter: Int?
    var delayMilliseconds: Int
    var count: Int
    /// Only calls with this method (`POST`, ...), or all.
    var method: String?
    /// Only calls whose path contains this, or all.
    var pathContains: String?

    func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method } ?? true) && (pathContains.map { path.contains($0) } ?? true)
    }

    /// Parses an admin request body: `{"status": 429, "retry_after": 1, "delay_ms": 0, "count": 3, "method": "POST", "path_contains": "dns_records"}`.
    init?(json: [String: Any]) {
        status = json["status"] as? Int
        retryAfter = json["retry_after"] as? Int
        delayMilliseconds = json["delay_ms"] as? Int ?? 0
        count = json["count"] as? Int ?? 1
        method = json["method"] as? String
        pathContains = json["path_contains"] as? String
        guard status != nil || delayMilliseconds > 0, count > 0 else { return nil }
    }
}
