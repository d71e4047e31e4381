/// A queue of app names, Kubernetes style: a key waiting is added only once (repeats fold), a key
/// is never handed to two workers at once (a key added while in progress waits until `done`), and
/// keys can be added after a delay.
public actor WorkQueue {
    private var queue: [String] = []
    private var waiting: Set<String> = []
    private var processing: Set<String> = []
    private var workers: [CheckedContinuation<String?, Never>] = []
    private var delayed: [String: ContinuousClock.Instant] = [:]
    private var isShutDown = false

    public init() {}

    /// Asks for `key` to be reconciled.
    public func add(_ key: String) {
        guard !isShutDown, !waiting.contains(key) else { return }
        waiting.insert(key)
        guard !processing.contains(key) else { return }
        if workers.isEmpty {
            queue.append(key)
        } else {
            waiting.remove(key)
            processing.insert(key)
            workers.removeFirst().resume(returning: key)
        }
    }

    /// Adds `key` after `delay`; an earlier pending delay for the same key wins.
    public func add(_ key: String, after delay: Duration) {
        let deadline = ContinuousClock.now + delay
        if let pending = delayed[key], pending <= deadline { return }
        delayed[key] = deadline
        Task {
            try? await Task.sleep(until: deadline)
            self.fireDelayed(key, deadline: deadline)
        }
    }

    private func fireDelayed(_ key: String, deadline: ContinuousClock.Instant) {
        guard delayed[key] == deadline else { return }
        delayed[key] = nil
        add(key)
    }

    /// The next key to work on, waiting if there is none; nil once shut down.
    public func next() async -> String? {
        if isShutDown { return nil }
        if !queue.isEmpty {
            let key = queue.removeFirst()
            waiting.remove(key)
            processing.insert(key)
            return key
        }
        return await withCheckedContinuation { workers.append($0) }
    }

    /// Marks `key` finished; if it was added meanwhile, it is queued again.
    public func done(_ key: String) {
        processing.remove(key)
        if waiting.contains(key) {
            waiting.remove(key)
            add(key)
        }
    }

    /// Keys waiting to be worked on (for metrics).
    public var depth: Int { queue.count }

    /// Wakes every waiting worker with nil; later adds are ignored.
    public func shutDown() {
        isShutDown = true
        queue.removeAll()
        for worker in workers { worker.resume(returning: nil) }
        workers.removeAll()
    }
}
