import Foundation
import Synchronization

/// Per-key fixed one-minute windows for requests and deploys, and a count of open log streams.
public final class RateLimiter: Sendable {
    /// The outcome of one request's admission, with what the `X-RateLimit-*` headers show.
    struct Decision: Sendable {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Unix seconds when the window ends.
        var reset: Int
        var retryAfter: Int
        /// Whether a deploy slot was taken (give it back with `refundDeploy` if no release was made).
        var deployReserved = false
    }

    private struct Window {
        var start: Int
        var requests = 0
        var deploys = 0
    }

    private struct State {
        var windows: [String: Window] = [:]
        var streams: [String: Int] = [:]
    }

    let requestsPerMinute: Int
    let deploysPerMinute: Int
    let concurrentStreams: Int
    private let state = Mutex(State())
    private static let windowSeconds = 60

    init(requestsPerMinute: Int, deploysPerMinute: Int, concurrentStreams: Int) {
        self.requestsPerMinute = requestsPerMinute
        self.deploysPerMinute = deploysPerMinute
        self.concurrentStreams = concurrentStreams
    }

    /// Counts one request against `key`'s window and, for a route that may create releases,
    /// reserves one deploy slot. A refused request takes no deploy slot.
    func admit(_ key: String, deploy: Bool, now: Date = Date()) -> Decision {
        let seconds = Int(now.timeIntervalSince1970)
        return state.withLock { state in
            if state.windows.count > 10_000 {
                state.windows = state.windows.filter { seconds < $0.value.start + Self.windowSeconds }
            }
            var window = state.windows[key] ?? Window(start: seconds)
            if seconds >= window.start + Self.windowSeconds { window = Window(start: seconds) }
            let reset = window.start + Self.windowSeconds
            window.requests += 1
            var allowed = window.requests <= requestsPerMinute
            var limit = requestsPerMinute
            var used = window.requests
            var reserved = false
            if deploy {
                if allowed && window.deploys < deploysPerMinute {
                    window.deploys += 1
                    reserved = true
                } else {
                    allowed = false
                }
                limit = deploysPerMinute
                used = window.deploys
            }
            state.windows[key] = window
            return Decision(
                allowed: allowed, limit: limit, remaining: max(0, limit - used), reset: reset,
                retryAfter: max(1, reset - seconds), deployReserved: reserved)
        }
    }

    /// Gives back a deploy slot reserved by `decision` (the request made no release), if its
    /// window is still the current one.
    func refundDeploy(_ key: String, _ decision: Decision) {
        guard decision.deployReserved else { return }
        state.withLock { state in
            guard var window = state.windows[key], window.start + Self.windowSeconds == decision.reset, window.deploys > 0
            else { return }
            window.deploys -= 1
            state.windows[key] = window
        }
    }

    /// Takes one of `key`'s log stream slots; false when all are in use.
    func openStream(_ key: String) -> Bool {
        state.withLock { state in
            let open = state.streams[key, default: 0]
            guard open < concurrentStreams else { return false }
            state.streams[key] = open + 1
            return true
        }
    }

    func closeStream(_ key: String) {
        state.withLock { state in
            let open = state.streams[key, default: 1] - 1
            state.streams[key] = open > 0 ? open : nil
        }
    }
}
