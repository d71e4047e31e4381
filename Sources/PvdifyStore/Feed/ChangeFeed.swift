import Synchronization

/// Announces changes (app and kind) to every subscriber (the reconcilers). Each subscriber names the
/// kinds it wants and gets its own buffered stream of only those; a slow one never blocks writers.
public final class ChangeFeed: Sendable {
    private struct Subscriber {
        var kinds: Set<Change.Kind>
        var continuation: AsyncStream<Change>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)
    private let published = Atomic<Int>(0)
    /// Passes what this process publishes on to other processes on the same database (`relay(to:)`).
    private let relay = Mutex<(@Sendable ([Change]) -> Void)?>(nil)

    public init() {}

    /// Grows with every announcement, so a reconciler can tell cheaply that nothing changed since
    /// a pass (it moves after the write commits: a pass that reads it first never misses a change).
    public var revision: Int { published.load(ordering: .acquiring) }

    /// A stream of the changes of the given kinds (every kind by default), until the caller stops iterating.
    public func subscribe(_ kinds: Set<Change.Kind> = Set(Change.Kind.allCases)) -> AsyncStream<Change> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = Subscriber(kinds: kinds, continuation: continuation) }
        return stream
    }

    /// The names of apps with a change of one of `kinds` (a work-queue trigger).
    public func apps(_ kinds: Set<Change.Kind>) -> AsyncStream<String> {
        let changes = subscribe(kinds)
        return AsyncStream { continuation in
            let task = Task {
                for await change in changes { continuation.yield(change.app) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends every change published from now on also to `forward` (the database's broadcast).
    func relay(to forward: @escaping @Sendable ([Change]) -> Void) {
        relay.withLock { $0 = forward }
    }

    func publish(_ changes: some Sequence<Change>) {
        let all = Set(changes)
        guard !all.isEmpty else { return }
        if let forward = relay.withLock({ $0 }) { forward(Array(all)) }
        deliver(all)
    }

    /// Announces changes another process published (not relayed again).
    func receive(_ changes: [Change]) {
        let all = Set(changes)
        guard !all.isEmpty else { return }
        deliver(all)
    }

    private func deliver(_ all: Set<Change>) {
        published.add(1, ordering: .releasing)
        let subscribers = subscribers.withLock { Array($0.values) }
        guard !subscribers.isEmpty else { return }
        for change in all {
            for subscriber in subscribers where subscriber.kinds.contains(change.kind) {
                subscriber.continuation.yield(change)
            }
        }
    }

    /// Ends every subscription (shutdown).
    public func finish() {
        let subscribers = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }
}
