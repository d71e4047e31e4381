import Foundation

/// When the transport sends a call again: after a 429 (waiting what `Retry-After` says), after a 5xx,
/// and after no answer at all for reads. Short and bounded, so a pass never hangs on a broken API: a
/// longer wait is left to the controller runner (the error's `retryAfter` requeues the app), and
/// its own backoff takes over after the last attempt.
public struct CloudflareRetryPolicy: Sendable, Equatable {
    /// Sends at most this many times in all.
    public var maxAttempts: Int
    /// The first wait; it doubles on each further attempt.
    public var baseDelay: Duration
    /// The longest wait between two attempts; a `Retry-After` beyond it is not waited for here.
    public var maxDelay: Duration

    /// Makes a policy (defaults: 5 attempts, 0.5 s doubling, at most 5 s).
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// How long to wait before attempt `attempt + 1`, or nil to give up.
    /// - Parameters:
    ///   - status: the HTTP status, or nil when no answer came (refused, reset, timed out).
    ///   - retryAfter: the `Retry-After` header of the answer, if any.
    ///   - method: writes are not sent again after no answer, since they may have been applied.
    public func delay(afterAttempt attempt: Int, status: Int?, retryAfter: String?, method: CloudflareRequest.Method, now: Date = Date())
        -> Duration?
    {
        guard attempt < maxAttempts else { return nil }
        switch status {
        case 429?:
            guard let asked = retryAfter.flatMap({ Self.parseRetryAfter($0, now: now) }) else { return backoff(attempt) }
            // A longer wait than we hold a pass for is left to the caller (`CloudflareError.retryAfter`).
            return asked <= maxDelay ? asked : nil
        case let status? where status >= 500:
            return backoff(attempt)
        case nil:
            return method == .get ? backoff(attempt) : nil
        default:
            return nil
        }
    }

    /// `baseDelay * 2^(attempt-1)`, at most `maxDelay`.
    func backoff(_ attempt: Int) -> Duration {
        Backoff.delay(base: baseDelay, cap: maxDelay, attempt: attempt)
    }

    /// `Retry-After` as delta-seconds (`30`) or as an HTTP date; nil when it is neither.
    public static func parseRetryAfter(_ text: String, now: Date = Date()) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return .seconds(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000)))
    }
}
