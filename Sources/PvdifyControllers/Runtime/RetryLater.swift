import PvdifyDrivers

/// An error that says when to try again (a 429's `Retry-After`): the runner requeues the key for
/// then instead of backing off, so long waits never hold a pass.
public protocol RetryLater: Error {
    /// How long to wait before the next pass; nil for the usual backoff.
    var retryAfter: Duration? { get }
}

/// Cloudflare's wait longer than its transport holds a call for comes back to the runner.
extension CloudflareError: RetryLater {}
