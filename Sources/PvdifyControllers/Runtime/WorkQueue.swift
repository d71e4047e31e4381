import HeapModule
import Synchronization

/// A queue of app names, Kubernetes style: a key waiting is added only once (repeats fold), a key
/// is never handed to two workers at once (a key added while in progress waits until `done`), and
/// keys can be added after a delay.
///
/// Delayed adds wait in one heap of due times, fired by one timer (`runTimer()`, run by the
/// runner). A worker waiting in `next()` returns nil when its task is cancelled or the queue shuts down.
public final class WorkQueue: Sendable {
    private let state = Mutex(State())

    private struct State {
        var queue: [String] = []
        var head = 0
        var waiting: Set<String> = []
        var processing: Set<String> = []
        var workers: [(id: Int, continuation: CheckedContinuation<String?, Never>)] = []
        var nextWaiterID = 0
        /// The due time of each delayed key (the earliest asked for wins); the heap may also hold
        /// stale entries of keys whose due time moved, skipped when they come up.
        var delayed: [String: ContinuousClock.Instant] = [:]
        var due = Heap<Due>()
        var dueSequence = 0
        /// The timer, asleep until the earliest due time or until woken by an earlier one.
        var timer: (id: Int, continuation: CheckedContinuation<Void, Never>)?
        /// An earlier due time came while the timer was awake: it must look again before sleeping.
        var wakePending = false
        var isShutDown = false

        var depth: Int { queue.count - head }

        mutating func popQueued() -> String? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return key
        }
    }

    /// One delayed add in the heap, ordered by due time, then by when it was asked for.
    struct Due: Comparable {
        var deadline: ContinuousClock.Instant
        var sequence: Int
        var key: String

        static func < (lhs: Due, rhs: Due) -> Bool {
            (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence)
        }
    }

    public init() {}

    /// Asks for `key` to be reconciled.
    public func add(_ key: String) {
        let worker = state.withLock { Self.add(key, &$0) }
        worker?.continuation.resume(returning: key)
    }

    /// Queues `key`, or hands it straight to a waiting worker (returned, to resume outside the lock).
    private static func add(_ key: String, _ state: inout State) -> (id: Int, continuation: CheckedContinuation<String?, Never>)? {
        guard !state.isShutDown, !state.waiting.contains(key) else { return nil }
        guard !state.processing.contains(key) else {
            state.waiting.insert(key)
            return nil
        }
        if state.workers.isEmpty {
            state.waiting.insert(key)
            state.queue.append(key)
            return nil
        }
        state.processing.insert(key)
        return state.workers.removeFirst()
    }

    /// Adds `key` after `delay`; an earlier pending delay for the same key wins.
    public func add(_ key: String, after delay: Duration) {
        let deadline = ContinuousClock.now + delay
        let timer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.isShutDown else { return nil }
            if let pending = state.delayed[key], pending <= deadline { return nil }
            state.delayed[key] = deadline
            state.dueSequence += 1
            let entry = Due(deadline: deadline, sequence: state.dueSequence, key: key)
            state.due.insert(entry)
            // Wake the timer only when this is now the earliest.
            guard state.due.min == entry else { return nil }
            guard let timer = state.timer else {
                state.wakePending = true
                return nil
            }
            state.timer = nil
            return timer.continuation
        }
        timer?.resume()
    }

    /// Keys waiting for their delay (for tests and metrics).
    public var delayedCount: Int { state.withLock { $0.delayed.count } }

    /// Fires delayed adds when they are due, until cancelled or shut down. One sleeping task serves
    /// every delayed key.
    public func runTimer() async {
        while !Task.isCancelled {
            let (fired, next, isShutDown) = state.withLock { state in
                state.wakePending = false
                let now = ContinuousClock.now
                var fired: [(id: Int, continuation: CheckedContinuation<String?, Never>, key: String)] = []
                while let first = state.due.min, first.deadline <= now {
                    state.due.removeMin()
                    guard state.delayed[first.key] == first.deadline else { continue }
                    state.delayed[first.key] = nil
                    if let worker = Self.add(first.key, &state) { fired.append((worker.id, worker.continuation, first.key)) }
                }
                return (fired, state.due.min?.deadline, state.isShutDown)
            }
            for worker in fired { worker.continuation.resume(returning: worker.key) }
            if isShutDown { return }
            await sleep(until: next)
        }
    }

    /// Sleeps until `deadline` (forever when nil), or until an earlier delayed add, shutdown or cancellation.
    private func sleep(until deadline: ContinuousClock.Instant?) async {
        await withTaskGroup(of: Void.self) { group in
            if let deadline { group.addTask { try? await Task.sleep(until: deadline) } }
            group.addTask { await self.waitForWake() }
            await group.next()
            group.cancelAll()
            // The other child may be the waiter: wake it so the group can end.
            self.wakeTimer()
        }
    }

    private func waitForWake() async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled || state.isShutDown || state.wakePending { return true }
                    state.timer = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let timer = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.timer?.id == id else { return nil }
                defer { state.timer = nil }
                return state.timer?.continuation
            }
            timer?.resume()
        }
    }

    private func wakeTimer() {
        let timer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.timer = nil }
            return state.timer?.continuation
        }
        timer?.resume()
    }

    /// The next key to work on, waiting if there is none; nil once shut down or when the calling
    /// task is cancelled.
    public func next() async -> String? {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> String?? in
                    if state.isShutDown || Task.isCancelled { return .some(nil) }
                    if let key = state.popQueued() {
                        state.waiting.remove(key)
                        state.processing.insert(key)
                        return .some(key)
                    }
                    state.workers.append((id, continuation))
                    return .none
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let worker = state.withLock { state -> CheckedContinuation<String?, Never>? in
                guard let index = state.workers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.workers.remove(at: index).continuation
            }
            worker?.resume(returning: nil)
        }
    }

    /// Marks `key` finished; if it was added meanwhile, it is queued again.
    public func done(_ key: String) {
        let worker = state.withLock { state -> (id: Int, continuation: CheckedContinuation<String?, Never>)? in
            state.processing.remove(key)
            guard state.waiting.remove(key) != nil else { return nil }
            return Self.add(key, &state)
        }
        worker?.continuation.resume(returning: key)
    }

    /// Keys waiting to be worked on (for metrics).
    public var depth: Int { state.withLock { $0.depth } }

    /// Wakes every waiting worker (and the timer) with nil; later adds are ignored.
    public func shutDown() {
        let (workers, timer) = state.withLock { state in
            state.isShutDown = true
            state.queue.removeAll()
            state.head = 0
            state.waiting.removeAll()
            state.delayed.removeAll()
            state.due = Heap()
            defer {
                state.workers.removeAll()
                state.timer = nil
            }
            return (state.workers.map(\.continuation), state.timer?.continuation)
        }
        for worker in workers { worker.resume(returning: nil) }
        timer?.resume()
    }
}
