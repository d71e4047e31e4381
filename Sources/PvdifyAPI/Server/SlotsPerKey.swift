import Synchronization

/// Slots held per key, at most `limit` each: open connections per client address, Admin UI
/// status streams per session.
final class SlotsPerKey: Sendable {
    let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one of `key`'s slots; false (and nothing taken) when all are in use.
    func take(_ key: String) -> Bool {
        open.withLock { open in
            let count = open[key, default: 0]
            guard count < limit else { return false }
            open[key] = count + 1
            return true
        }
    }

    /// Gives back a slot `take` handed out.
    func give(_ key: String) {
        open.withLock { open in
            let count = open[key, default: 1] - 1
            open[key] = count > 0 ? count : nil
        }
    }
}
