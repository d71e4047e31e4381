/// A switchable fault of a stand-in: the next `count` calls that match answer with `status` (429
/// with `Retry-After`, 500, 503...) and/or only after `delayMilliseconds`.
public struct Fault: Sendable {
    public var status: Int?
    /// Seconds for a `Retry-After` header, where the stand-in sends one.
    public var retryAfter: Int?
    public var delayMilliseconds: Int
    public var count: Int
    /// Only calls with this method (`POST`, ...), or all.
    public var method: String?
    /// Only calls whose path contains this, or all.
    public var pathContains: String?

    public func matches(method: String, path: String) -> Bool {
        (self.method.map { $0.uppercased() == method } ?? true) && (pathContains.map { path.contains($0) } ?? true)
    }

    /// Parses an admin request body: `{"status": 429, "retry_after": 1, "delay_ms": 0, "count": 3, "method": "POST", "path_contains": "dns_records"}`.
    public init?(json: [String: Any]) {
        status = json["status"] as? Int
        retryAfter = json["retry_after"] as? Int
        delayMilliseconds = json["delay_ms"] as? Int ?? 0
        count = json["count"] as? Int ?? 1
        method = json["method"] as? String
        pathContains = json["path_contains"] as? String
        guard status != nil || delayMilliseconds > 0, count > 0 else { return nil }
    }
}

extension Array where Element == Fault {
    /// The fault the next call to `method path` meets, if any: one use of it is consumed here, and
    /// it is dropped once used up.
    public mutating func take(method: String, path: String) -> Fault? {
        guard let index = firstIndex(where: { $0.count > 0 && $0.matches(method: method, path: path) }) else { return nil }
        self[index].count -= 1
        let fault = self[index]
        if self[index].count == 0 { remove(at: index) }
        return fault
    }
}
