import Synchronization

/// Announces the names of apps whose desired state changed, to every subscriber (the reconcilers).
/// Each subscriber gets its own buffered stream; a slow one never blocks writers.
public final class ChangeFeed: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<String>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A stream of changed app names, until the caller stops iterating.
    public func subscribe() -> AsyncStream<String> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    func publish(_ apps: some Sequence<String>) {
        let continuations = subscribers.withLock { Array($0.values) }
        for app in Set(apps) {
            for continuation in continuations { continuation.yield(app) }
        }
    }

    /// Ends every subscription (shutdown).
    public func finish() {
        let continuations = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
