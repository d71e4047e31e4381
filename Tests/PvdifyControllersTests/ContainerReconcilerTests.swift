import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// A container runtime in memory: records every mutating call.
final class FakeRuntime: ContainerRuntime {
    struct State {
        var containers: [String: ObservedContainer] = [:]
        var mutations: [String] = []
    }

    let state = Mutex(State())

    func list(app: String?) async throws -> [ObservedContainer] {
        state.withLock { state in state.containers.values.filter { app == nil || $0.app == app }.sorted { $0.name < $1.name } }
    }

    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        state.withLock { $0.mutations.append("pull \(image)") }
    }

    func create(_ spec: ContainerSpec) async throws {
        let labels = spec.labels
        let container = ObservedContainer(
            name: spec.name, app: labels[ContainerLabels.app]!, process: labels[ContainerLabels.process]!,
            index: Int(labels[ContainerLabels.index]!)!, release: Int(labels[ContainerLabels.release]!)!,
            specHash: labels[ContainerLabels.specHash]!, hostPort: labels[ContainerLabels.hostPort].flatMap(Int.init),
            running: false)
        state.withLock { state in
            state.containers[spec.name] = container
            state.mutations.append("create \(spec.name)")
        }
    }

    func start(_ name: String) async throws {
        state.withLock { state in
            state.containers[name]?.running = true
            state.containers[name]?.startedAt = Date().addingTimeInterval(-60)
            state.mutations.append("start \(name)")
        }
    }

    func remove(_ name: String, timeout: Int) async throws {
        state.withLock { state in
            state.containers[name] = nil
            state.mutations.append("remove \(name)")
        }
    }

    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    func appEvents() -> AsyncThrowingStream<String, any Error> { AsyncThrowingStream { _ in } }
}

struct HealthyProbe: HealthProbe {
    func check(port: Int, path: String, timeout: Duration) async -> String? { nil }
}

@Suite struct ContainerReconcilerTests {
    @Test func aSteadyStatePassMakesNoMutatingCall() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-cr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
        let runtime = FakeRuntime()
        let reconciler = ContainerReconciler(
            store: store, runtime: runtime, logs: AppLogs(), probe: HealthyProbe(), drainPeriod: 0, workerSettleTime: 0,
            logger: Logger(label: "test"))
        _ = try await store.createApp(name: "web", environment: .production)
        _ = try await store.updateSpec("web") { $0.processes["worker"] = ProcessSpec(command: "work", count: 2) }
        _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")

        for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
        #expect(try await store.release("web", version: 1).status == .active)
        #expect(try await store.app("web").status?.phase == .running)
        let running = runtime.state.withLock { $0.containers.count }
        #expect(running == 3)
        #expect(runtime.state.withLock { $0.mutations }.contains("pull reg.io/web:1"))

        runtime.state.withLock { $0.mutations.removeAll() }
        let statusWrites = Counter()
        let feed = store.statusChanges.subscribe()
        let watcher = Task { for await _ in feed { statusWrites.add() } }
        for _ in 0..<3 { _ = try await reconciler.reconcile("web") }
        try await Task.sleep(for: .milliseconds(50))
        watcher.cancel()
        #expect(runtime.state.withLock { $0.mutations } == [])
        #expect(statusWrites.value == 0)

        // A new release replaces every instance; deleting the app removes them all.
        _ = try await store.createRelease("web", image: "reg.io/web:2", by: "t")
        for _ in 0..<10 { _ = try await reconciler.reconcile("web") }
        #expect(try await store.release("web", version: 2).status == .active)
        #expect(try await store.release("web", version: 1).status == .superseded)
        #expect(runtime.state.withLock { $0.containers.values.allSatisfy { $0.release == 2 } })
        try await store.deleteApp("web")
        _ = try await reconciler.reconcile("web")
        #expect(runtime.state.withLock { $0.containers.isEmpty })
        try store.close()
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
