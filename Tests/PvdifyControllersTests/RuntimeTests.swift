import Foundation
import Logging
import Synchronization
import Testing
@testable import PvdifyControllers

@Suite struct WorkQueueTests {
    @Test func repeatsFoldAndAKeyIsNeverWorkedTwiceAtOnce() async {
        let queue = WorkQueue()
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.depth == 2)
        let first = await queue.next()
        #expect(first == "a")
        await queue.add("a")  // while "a" is in progress: held back
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
        await queue.done("a")  // now it is queued again
        #expect(await queue.next() == "a")
        await queue.done("a")
        await queue.done("b")
        #expect(await queue.depth == 0)
    }

    @Test func delayedAddsAndShutdown() async throws {
        let queue = WorkQueue()
        await queue.add("late", after: .milliseconds(50))
        #expect(await queue.depth == 0)
        let started = ContinuousClock.now
        #expect(await queue.next() == "late")
        #expect(ContinuousClock.now - started >= .milliseconds(40))
        let waiter = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(20))
        await queue.shutDown()
        #expect(await waiter.value == nil)
        #expect(await queue.next() == nil)
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
