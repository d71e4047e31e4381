import Foundation
import Logging
import Synchronization
import Testing
@testable import PvdifyControllers

@Suite struct WorkQueueTests {
    @Test func repeatsFoldAndAKeyIsNeverWorkedTwiceAtOnce() async {
        let queue = WorkQueue()
        queue.add("a")
        queue.add("a")
        queue.add("b")
        #expect(queue.depth == 2)
        let first = await queue.next()
        #expect(first == "a")
        queue.add("a")  // while "a" is in progress: held back
        #expect(await queue.next() == "b")
        #expect(queue.depth == 0)
        queue.done("a")  // now it is queued again
        #expect(await queue.next() == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.depth == 0)
    }

    @Test func delayedAddsAndShutdown() async throws {
        let queue = WorkQueue()
        let timer = Task { await queue.runTimer() }
        queue.add("late", after: .milliseconds(50))
        #expect(queue.depth == 0)
        let started = ContinuousClock.now
        #expect(await queue.next() == "late")
        #expect(ContinuousClock.now - started >= .milliseconds(40))
        let waiter = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        queue.shutDown()
        #expect(await waiter.value == nil)
        #expect(await queue.next() == nil)
        await timer.value  // the timer ends with the queue
    }

    @Test func theDelayHeapFiresInDueOrderWithOneTimer() async throws {
        let queue = WorkQueue()
        let timer = Task { await queue.runTimer() }
        defer { timer.cancel() }
        queue.add("c", after: .milliseconds(300))
        queue.add("a", after: .milliseconds(100))
        queue.add("b", after: .milliseconds(200))
        queue.add("b", after: .seconds(10))  // a later delay for a pending key changes nothing
        queue.add("d", after: .milliseconds(150))
        queue.add("d", after: .milliseconds(50))  // an earlier one wins
        #expect(queue.delayedCount == 4)
        var order: [String] = []
        for _ in 0..<4 {
            guard let key = await queue.next() else { break }
            order.append(key)
            queue.done(key)
        }
        #expect(order == ["d", "a", "b", "c"])
        #expect(queue.delayedCount == 0)
    }

    @Test func aWaitingWorkerEndsWhenItsTaskIsCancelled() async throws {
        let queue = WorkQueue()
        let worker = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        worker.cancel()
        #expect(await worker.value == nil)
        // The queue still works for others: the cancelled worker took nothing.
        queue.add("x")
        #expect(await queue.next() == "x")
        // A task cancelled before it asks gets nil at once.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        #expect(await early.value == nil)
    }

    @Test func theTimerEndsWhenCancelled() async {
        let queue = WorkQueue()
        queue.add("someday", after: .seconds(3600))
        let timer = Task { await queue.runTimer() }
        timer.cancel()
        await timer.value
        #expect(queue.delayedCount == 1)
    }
}

@Suite struct BackoffTests {
    @Test func doublesUpToTheCapAndResets() {
        var backoff = Backoff(base: .seconds(1), cap: .seconds(300))
        #expect(backoff.failure("a") == .seconds(1))
        #expect(backoff.failure("a") == .seconds(2))
        #expect(backoff.failure("a") == .seconds(4))
        #expect(backoff.failure("b") == .seconds(1))
        for _ in 0..<20 { _ = backoff.failure("a") }
        #expect(backoff.failure("a") == .seconds(300))
        backoff.success("a")
        #expect(backoff.failure("a") == .seconds(1))
    }
}

/// Records every pass; fails the first `failures` passes of a key; checks no key runs twice at once.
final class RecordingReconciler: Reconciler, Sendable {
    let name = "recording"
    let state = Mutex(State())
    let failures: Int

    struct State {
        var passes: [String] = []
        var running: Set<String> = []
        var overlapped = false
        var failed: [String: Int] = [:]
    }

    init(failures: Int = 0) { self.failures = failures }

    func reconcile(_ app: String) async throws -> ReconcileResult {
        state.withLock { state in
            if state.running.contains(app) { state.overlapped = true }
            state.running.insert(app)
            state.passes.append(app)
        }
        try await Task.sleep(for: .milliseconds(20))
        let fail = state.withLock { state -> Bool in
            state.running.remove(app)
            guard state.failed[app, default: 0] < failures else { return false }
            state.failed[app, default: 0] += 1
            return true
        }
        if fail { throw CancellationErrorLike() }
        return .done
    }

    func resyncKeys() async throws -> [String] { ["resynced"] }

    struct CancellationErrorLike: Error {}
}

@Suite struct ControllerRunnerTests {
    @Test func endsWhenCancelledWhileWorkersWait() async throws {
        let runner = ControllerRunner(
            reconciler: RecordingReconciler(), workers: 4, resyncInterval: .seconds(3600), logger: Logger(label: "test"))
        let task = Task { try await runner.run() }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        // Bounded: a runner that never returned would fail here rather than hang the suite.
        let ended = Task { try? await task.value; return true }
        let deadline = Task { try? await Task.sleep(for: .seconds(10)); return false }
        let first = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await ended.value }
            group.addTask { await deadline.value }
            let first = await group.next()!
            group.cancelAll()
            deadline.cancel()
            return first
        }
        #expect(first, "the runner did not end within 10 s of cancellation")
    }

    /// Fails its first pass with a wait the far side asked for, then succeeds.
    final class RateLimitedReconciler: Reconciler, Sendable {
        let name = "rate-limited"
        let passes = Mutex<[ContinuousClock.Instant]>([])
        struct Limited: RetryLater { var retryAfter: Duration? }

        func reconcile(_ app: String) async throws -> ReconcileResult {
            let count = passes.withLock { passes -> Int in
                passes.append(.now)
                return passes.count
            }
            if count == 1 { throw Limited(retryAfter: .milliseconds(200)) }
            return .done
        }

        func resyncKeys() async throws -> [String] { [] }
    }

    @Test func aWaitAskedForByTheFarSideRequeuesForThenInsteadOfBackingOff() async throws {
        let reconciler = RateLimitedReconciler()
        // The backoff alone would wait an hour.
        let runner = ControllerRunner(
            reconciler: reconciler, workers: 1, resyncInterval: .seconds(3600), backoff: Backoff(base: .seconds(3600), cap: .seconds(3600)),
            logger: Logger(label: "test"))
        let task = Task { try await runner.run() }
        defer { task.cancel() }
        await runner.enqueue("app")
        for _ in 0..<200 where reconciler.passes.withLock({ $0.count }) < 2 {
            try await Task.sleep(for: .milliseconds(25))
        }
        let passes = reconciler.passes.withLock { $0 }
        #expect(passes.count == 2)
        if passes.count == 2 { #expect(passes[1] - passes[0] >= .milliseconds(190)) }
    }

    @Test func aTriggerStreamThatEndsIsStartedAgain() async throws {
        let reconciler = RecordingReconciler()
        let made = Mutex(0)
        let runner = ControllerRunner(
            reconciler: reconciler, workers: 1, resyncInterval: .seconds(3600),
            triggers: [{
                let count = made.withLock { count -> Int in
                    count += 1
                    return count
                }
                // Each stream delivers one name and ends at once.
                return AsyncStream { continuation in
                    continuation.yield("from-stream-\(count)")
                    continuation.finish()
                }
            }],
            triggerBackoff: Backoff(base: .milliseconds(10), cap: .milliseconds(50)), logger: Logger(label: "test"))
        let task = Task { try await runner.run() }
        defer { task.cancel() }
        for _ in 0..<200 {
            if reconciler.state.withLock({ $0.passes.contains("from-stream-3") }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(made.withLock { $0 } >= 3)
        #expect(reconciler.state.withLock { $0.passes.contains("from-stream-3") })
    }

    @Test func triggersResyncAndBackoff() async throws {
        let reconciler = RecordingReconciler(failures: 2)
        let (trigger, continuation) = AsyncStream.makeStream(of: String.self)
        let runner = ControllerRunner(
            reconciler: reconciler, workers: 3, resyncInterval: .seconds(3600), triggers: [{ trigger }],
            backoff: Backoff(base: .milliseconds(30), cap: .milliseconds(100)), logger: Logger(label: "test"))
        let task = Task { try await runner.run() }
        for _ in 0..<5 { continuation.yield("app") }
        continuation.yield("other")
        // Wait (bounded) until both keys succeeded after their two failures; machines may be slow.
        for _ in 0..<200 {
            let done = reconciler.state.withLock { state in
                state.failed["app"] == 2 && state.failed["other"] == 2
                    && state.passes.filter { $0 == "other" }.count >= 3 && state.passes.filter { $0 == "app" }.count >= 3
            }
            if done { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let state = reconciler.state.withLock { $0 }
        #expect(!state.overlapped)
        #expect(state.passes.contains("resynced"))
        // Failures are retried with backoff until a pass succeeds: 2 failures + 1 success at least.
        #expect(state.passes.filter { $0 == "app" }.count >= 3)
        // Five quick triggers fold into few passes, not five plus retries.
        #expect(state.passes.filter { $0 == "app" }.count <= 5)
        #expect(state.failed["other"] == 2)
    }
}
