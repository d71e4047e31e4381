import Synchronization

/// The open streams of every token (API log streams, Admin UI status streams) and of every Admin
/// UI session, by key, so that revoking a token or signing out ends them at once.
final class TokenStreams: Sendable {
    private struct State {
        var enders: [String: [Int: @Sendable () -> Void]] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// Registers a stream of `tokenID`, ended by calling `end`; returns a handle for `unregister`.
    func register(_ tokenID: String, end: @escaping @Sendable () -> Void) -> (String, Int) {
        state.withLock { state in
            state.next += 1
            state.enders[tokenID, default: [:]][state.next] = end
            return (tokenID, state.next)
        }
    }

    func unregister(_ handle: (String, Int)) {
        state.withLock { state in
            state.enders[handle.0]?[handle.1] = nil
            if state.enders[handle.0]?.isEmpty == true { state.enders[handle.0] = nil }
        }
    }

    /// Ends every stream of `tokenID`.
    func end(_ tokenID: String) {
        let enders = state.withLock { $0.enders.removeValue(forKey: tokenID) ?? [:] }
        for end in enders.values { end() }
    }

    /// How many streams `tokenID` has open (for tests).
    func count(_ tokenID: String) -> Int { state.withLock { $0.enders[tokenID]?.count ?? 0 } }
}
