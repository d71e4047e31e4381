import Synchronization

/// Open connections per client address, for the per-client cap.
final class ClientConnectionCounter: Sendable {
    let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection from `client`; false (and not counted) when the client is at its cap.
    func admit(_ client: String) -> Bool {
        open.withLock { open in
            let count = open[client, default: 0]
            guard count < limit else { return false }
            open[client] = count + 1
            return true
        }
    }

    /// Forgets a connection `admit` counted.
    func release(_ client: String) {
        open.withLock { open in
            let count = open[client, default: 1] - 1
            open[client] = count > 0 ? count : nil
        }
    }
}
