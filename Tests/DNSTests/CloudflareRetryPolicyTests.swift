import Foundation
import Testing

@testable import PvdifyDrivers

/// When the transport sends a call again, and how long it waits.
@Suite struct CloudflareRetryPolicyTests {
    let policy = CloudflareRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(30))

    @Test func rateLimitsHonourRetryAfter() {
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "3", method: .post) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "0", method: .get) == .zero)
        // Without Retry-After: exponential.
        #expect(policy.delay(afterAttempt: 2, status: 429, retryAfter: nil, method: .get) == .seconds(1))
        // Longer than a pass is held for: left to the caller.
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "300", method: .get) == nil)
        let now = Date(timeIntervalSince1970: 1_767_261_600)  // 2026-01-01T10:00:00Z
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "Thu, 01 Jan 2026 10:00:05 GMT", method: .get, now: now) == .seconds(5))
    }

    @Test func serverErrorsBackOffExponentiallyAndAreBounded() {
        #expect(policy.delay(afterAttempt: 1, status: 500, retryAfter: nil, method: .post) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 2, status: 503, retryAfter: nil, method: .put) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, status: 502, retryAfter: nil, method: .get) == .seconds(2))
        #expect(policy.delay(afterAttempt: 4, status: 500, retryAfter: nil, method: .get) == nil)
        #expect(CloudflareRetryPolicy(maxAttempts: 20, baseDelay: .seconds(1), maxDelay: .seconds(5)).backoff(10) == .seconds(5))
    }

    @Test func clientErrorsAreNotRetriedAndWritesAreNotResentWithoutAnAnswer() {
        #expect(policy.delay(afterAttempt: 1, status: 400, retryAfter: nil, method: .get) == nil)
        #expect(policy.delay(afterAttempt: 1, status: 403, retryAfter: nil, method: .get) == nil)
        #expect(policy.delay(afterAttempt: 1, status: 404, retryAfter: nil, method: .delete) == nil)
        #expect(policy.delay(afterAttempt: 1, status: nil, retryAfter: nil, method: .get) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 1, status: nil, retryAfter: nil, method: .post) == nil)
    }
}
