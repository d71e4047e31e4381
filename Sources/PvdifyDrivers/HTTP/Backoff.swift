/// Exponential backoff: `base` doubling on each consecutive failure, up to `cap`; per key, so one
/// failing key never slows another. The one backoff of the drivers and the controller runner.
public struct Backoff: Sendable {
    /// The first delay.
    public let base: Duration
    /// The longest delay.
    public let cap: Duration
    private var failures: [String: Int] = [:]

    /// A backoff from `base`, doubling to `cap`.
    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// Records a failure of `key` and returns how long to wait before the next try.
    public mutating func failure(_ key: String) -> Duration {
        let count = failures[key, default: 0] + 1
        failures[key] = count
        return delay(attempt: count)
    }

    /// Forgets `key`'s failures (after a success).
    public mutating func success(_ key: String) { failures[key] = nil }

    /// The wait after the `attempt`th consecutive failure.
    public func delay(attempt: Int) -> Duration { Self.delay(base: base, cap: cap, attempt: attempt) }

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
