/// Per-key exponential backoff: `base` doubling on each consecutive failure, up to `cap`.
public struct Backoff: Sendable {
    public let base: Duration
    public let cap: Duration
    private var failures: [String: Int] = [:]

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// Records a failure of `key` and returns how long to wait before the next try.
    public mutating func failure(_ key: String) -> Duration {
        let count = failures[key, default: 0] + 1
        failures[key] = count
        return Self.delay(base: base, cap: cap, attempt: count)
    }

    /// Forgets `key`'s failures (after a success).
    public mutating func success(_ key: String) { failures[key] = nil }

    /// `base * 2^(attempt-1)`, capped.
    public static func delay(base: Duration, cap: Duration, attempt: Int) -> Duration {
        var delay = base
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= cap { return cap }
        }
        return min(delay, cap)
    }
}
