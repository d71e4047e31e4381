import Synchronization

/// How many status streams each UI session has open, so one browser cannot hold many.
final class UIStatusStreams: Sendable {
    /// Status streams one session may hold at once (a few tabs).
    let perSession: Int
    private let open = Mutex<[String: Int]>([:])

    init(perSession: Int = 4) {
        self.perSession = perSession
    }

    /// Takes one of the session's slots; false when all are in use.
    func take(_ session: String) -> Bool {
        open.withLock { open in
            let count = open[session, default: 0]
            guard count < perSession else { return false }
            open[session] = count + 1
            return true
        }
    }

    /// Gives a slot back.
    func give(_ session: String) {
        open.withLock { open in
            let count = open[session, default: 1] - 1
            open[session] = count > 0 ? count : nil
        }
    }
}
