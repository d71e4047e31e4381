import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore
import PvdifyTestSupport
import Synchronization
import Testing
@testable import PvdifyControllers

/// A container runtime in memory: records every list and mutating call, and reports events on a
/// stream the test can also feed (as Podman would for changes made by hand).
final class FakeRuntime: ContainerRuntime {
    struct State {
        var containers: [String: ObservedContainer] = [:]
        var mutations: [String] = []
        var lists = 0
        var nextID = 0
        var unreachable = false
        /// Host ports that containers outside pvdify publish.
        var foreignPorts: Set<Int> = []
        var subscribers: [AsyncThrowingStream<ContainerEvent, any Error>.Continuation] = []
    }

    let state = Mutex(State())

    var mutations: [String] { state.withLock { $0.mutations } }
    var lists: Int { state.withLock { $0.lists } }

    func list(app: String?) async throws -> [ObservedContainer] {
        try state.withLock { state in
            if state.unreachable { throw FakeError.unreachable }
            state.lists += 1
            return state.containers.values.filter { app == nil || $0.app == app }.sorted { $0.name < $1.name }
        }
    }

    func publishedHostPorts() async throws -> Set<Int> {
        try state.withLock { state in
            if state.unreachable { throw FakeError.unreachable }
            return state.foreignPorts.union(state.containers.values.compactMap(\.hostPort))
        }
    }

    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        state.withLock { $0.mutations.append("pull \(image)") }
    }

    func create(_ spec: ContainerSpec) async throws -> String? {
        let event = try state.withLock { state -> ContainerEvent in
            if state.unreachable { throw FakeError.unreachable }
            state.nextID += 1
            let id = "id\(state.nextID)"
            let container = ObservedContainer(name: spec.name, labels: spec.labels, running: false, id: id)!
            state.containers[spec.name] = container
            state.mutations.append("create \(spec.name)")
            return ContainerEvent(action: .create, id: id, name: spec.name, container: container)
        }
        emit(event)
        return event.id
    }

    func start(_ name: String) async throws {
        let event = state.withLock { state -> ContainerEvent? in
            state.containers[name]?.running = true
            state.containers[name]?.startedAt = Date()
            state.mutations.append("start \(name)")
            return state.containers[name].map { ContainerEvent(action: .start, id: $0.id ?? "", name: name, container: $0) }
        }
        if let event { emit(event) }
    }

    func remove(_ name: String, timeout: Int) async throws {
        let event = state.withLock { state -> ContainerEvent? in
            state.mutations.append("remove \(name)")
            return state.containers.removeValue(forKey: name).map { ContainerEvent(action: .remove, id: $0.id ?? "", name: name, container: $0) }
        }
        if let event { emit(event) }
    }

    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ContainerEvent.self)
        state.withLock { $0.subscribers.append(continuation) }
        return stream
    }

    /// Sends an event to every subscriber.
    func emit(_ event: ContainerEvent) {
        for subscriber in state.withLock({ $0.subscribers }) { subscriber.yield(event) }
    }

    /// Something outside pvdify (a person, a crash) changes a container: Podman reports it.
    func changeByHand(_ name: String, running: Bool, exitCode: Int = 0) {
        let event = state.withLock { state -> ContainerEvent? in
            state.containers[name]?.running = running
            state.containers[name]?.exitCode = exitCode
            return state.containers[name].map { ContainerEvent(action: running ? .start : .died, id: $0.id ?? "", name: name, container: $0, exitCode: exitCode) }
        }
        if let event { emit(event) }
    }

    /// Podman goes away (every call fails and the event streams end) or comes back.
    func setUnreachable(_ unreachable: Bool) {
        let ended = state.withLock { state in
            state.unreachable = unreachable
            defer { if unreachable { state.subscribers.removeAll() } }
            return unreachable ? state.subscribers : []
        }
        for subscriber in ended { subscriber.finish(throwing: FakeError.unreachable) }
    }

    enum FakeError: Error { case unreachable }
}

struct HealthyProbe: HealthProbe {
    func check(port: Int, path: String, timeout: Duration) async -> String? { nil }
}

/// A store in a fresh temporary directory, removed afterwards: SQLite, or with
/// `PVDIFY_TEST_STORE=postgres` a PostgreSQL database of its own (hack/test.sh runs these suites
/// on both).
func withStore(_ body: (Store) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-cr-\(UUID().uuidString)")
    let backend = StoreBackend.selected
    let store = try await backend.openStore(directory: directory)
    do {
        try await body(store)
    } catch {
        try? store.close()
        try? await backend.removeStore(directory: directory)
        throw error
    }
    try? store.close()
    try await backend.removeStore(directory: directory)
}

func makeReconciler(_ store: Store, _ runtime: FakeRuntime, probe: any HealthProbe = HealthyProbe()) -> ContainerReconciler {
    ContainerReconciler(
        store: store, runtime: runtime, logs: AppLogs(), probe: probe, drainPeriod: 0, workerSettleTime: 0,
        logger: Logger(label: "test"))
}

/// An app `web` with a web and two worker instances, rolled out to `active`.
func deployedApp(_ store: Store, _ reconciler: ContainerReconciler) async throws {
    _ = try await store.createApp(name: "web", environment: .production)
    _ = try await store.updateSpec("web") { $0.processes["worker"] = ProcessSpec(command: "work", count: 2) }
    _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
    for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
}

@Suite struct ContainerReconcilerTests {
    @Test func aSteadyStatePassMakesNoMutatingCallAndWritesNothing() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            #expect(try await store.release("web", version: 1).status == .active)
            #expect(try await store.app("web").status?.phase == .running)
            #expect(runtime.state.withLock { $0.containers.count } == 3)
            #expect(runtime.mutations.contains("pull reg.io/web:1"))

            runtime.state.withLock { $0.mutations.removeAll() }
            let writes = store.statusWriteCount
            var results: [ReconcileResult] = []
            for _ in 0..<3 { results.append(try await reconciler.reconcile("web")) }
            #expect(runtime.mutations == [])
            #expect(store.statusWriteCount == writes)
            // Converged: nothing brings the pass back but a change, an event or a failing check.
            #expect(results.allSatisfy { $0 == .done })

            // A new release replaces every instance; deleting the app removes them all.
            _ = try await store.createRelease("web", image: "reg.io/web:2", by: "t")
            for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
            #expect(try await store.release("web", version: 2).status == .active)
            #expect(try await store.release("web", version: 1).status == .superseded)
            #expect(runtime.state.withLock { $0.containers.values.allSatisfy { $0.release == 2 } })
            try await store.deleteApp("web")
            _ = try await reconciler.reconcile("web")
            #expect(runtime.state.withLock { $0.containers.isEmpty })
        }
    }

    @Test func passesReadTheCacheAndMakeNoListCall() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            _ = try await store.updateSpec("web") { $0.processes["web"]?.count = 3 }
            for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
            #expect(runtime.state.withLock { $0.containers.values.filter { $0.process == "web" }.count } == 3)
            // One full list, when the cache was first filled; none per pass.
            #expect(runtime.lists == 1)
            #expect(await reconciler.listCalls == 1)
        }
    }

    @Test func aRolloutSeesItsOwnWritesAndCreatesEachInstanceOnce() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            _ = try await store.createRelease("web", image: "reg.io/web:2", by: "t")
            // No event reaches the cache here (nothing follows the stream): only the passes' own writes.
            for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
            let creates = runtime.mutations.filter { $0.hasPrefix("create ") }
            #expect(creates.count == 6)
            #expect(Set(creates).count == creates.count)
            #expect(try await store.release("web", version: 2).status == .active)
        }
    }

    @Test func statusIsWrittenOncePerPass() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.updateSpec("web") { $0.processes["worker"] = ProcessSpec(command: "work", count: 2) }
            _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
            var perPass: [Int] = []
            for _ in 0..<8 {
                let before = store.statusWriteCount
                _ = try await reconciler.reconcile("web")
                perPass.append(store.statusWriteCount - before)
            }
            // The first pass pulls: it writes the deploy log's "Pulling" line before the pull, then the rest.
            #expect(perPass[0] == 2)
            #expect(perPass.dropFirst().allSatisfy { $0 <= 1 }, "\(perPass)")
            // What the passes wrote is all there: the release's state, its log, the app's status.
            #expect(try await store.release("web", version: 1).status == .active)
            let log = try await store.releaseLog("web", version: 1).map(\.1)
            #expect(log.contains { $0.hasPrefix("Started web.1") })
            #expect(log.contains { $0.hasPrefix("Release v1 is active") })
            let status = try #require(try await store.app("web").status)
            #expect(status.phase == .running)
            #expect(status.condition(ConditionType.ready)?.observedGeneration == status.observedGeneration)
        }
    }

    @Test func theCacheFollowsEventsAndAContainerStoppedByHandIsStartedAgain() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            var woken = reconciler.eventTrigger().makeAsyncIterator()
            // The trigger lists once on connecting; then only events keep the cache current.
            try await eventually { runtime.state.withLock { !$0.subscribers.isEmpty } }
            let lists = runtime.lists
            let worker = try #require(runtime.state.withLock { $0.containers.values.first { $0.process == "worker" } })
            runtime.state.withLock { $0.mutations.removeAll() }
            runtime.changeByHand(worker.name, running: false, exitCode: 137)
            #expect(await woken.next() == "web")
            try await eventually { await reconciler.cache.containers(of: "web").first { $0.name == worker.name }?.running == false }
            _ = try await reconciler.reconcile("web")
            #expect(runtime.mutations == ["start \(worker.name)"])
            #expect(runtime.lists == lists)
        }
    }

    @Test func withTheRuntimeUnreachableAppsSaySoAndNothingIsRecreatedWhenItIsBack() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            _ = try await store.createApp(name: "other", environment: .production)
            runtime.state.withLock { $0.mutations.removeAll() }

            runtime.setUnreachable(true)
            // The resync's list fails: every app is visited, and says why nothing is known.
            let keys = try await reconciler.resyncKeys()
            #expect(keys == ["other", "web"])
            for key in keys { _ = try await reconciler.reconcile(key) }
            for app in ["web", "other"] {
                let ready = try #require(try await store.app(app).status?.condition(ConditionType.ready))
                #expect(ready.status == "False")
                #expect(ready.reason == ConditionReason.runtimeUnavailable)
            }

            runtime.setUnreachable(false)
            try await Task.sleep(for: .milliseconds(1100))  // past the pause between lists after a failure
            for key in try await reconciler.resyncKeys() { _ = try await reconciler.reconcile(key) }
            #expect(runtime.mutations == [])
            #expect(try await store.app("web").status?.condition(ConditionType.ready)?.reason == ConditionReason.allProcessesHealthy)
        }
    }

    @Test func aNoOpResyncListsOnceAndVisitsNoConvergedApp() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            _ = try await reconciler.reconcile("web")
            let lists = runtime.lists
            #expect(try await reconciler.resyncKeys() == [])
            #expect(runtime.lists == lists + 1)
            // A container removed behind the cache's back is found by the resync's list.
            let worker = try #require(runtime.state.withLock { $0.containers.values.first { $0.process == "worker" } })
            _ = runtime.state.withLock { $0.containers.removeValue(forKey: worker.name) }
            #expect(try await reconciler.resyncKeys() == ["web"])
        }
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Waits (bounded, generously: the test machines are shared and a loaded one was seen to need
/// more than 10 s) until `condition` holds.
func eventually(_ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met within 30 s")
}
