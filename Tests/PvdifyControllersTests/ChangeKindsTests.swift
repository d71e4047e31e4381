import Foundation
import Logging
import PvdifyModel
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// Counts the passes of a real reconciler run by a real runner.
final class CountingReconciler: Reconciler {
    let inner: any Reconciler
    let passes = Mutex<[String]>([])
    var name: String { inner.name }

    init(_ inner: any Reconciler) { self.inner = inner }

    func reconcile(_ app: String) async throws -> ReconcileResult {
        passes.withLock { $0.append(app) }
        return try await inner.reconcile(app)
    }

    func resyncKeys() async throws -> [String] { try await inner.resyncKeys() }

    var count: Int { passes.withLock { $0.count } }

    /// Waits (bounded) until no pass has run for half a second.
    func waitUntilQuiet() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var last = count
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            if count == last { return }
            last = count
        }
        Issue.record("passes did not stop")
    }
}

/// The keys a runner's triggers handed over, in order.
final class WakeLog: Sendable {
    let keys = Mutex<[String]>([])
}

/// Each reconciler wakes only for the kinds of change it acts on.
@Suite struct ChangeKindsTests {
    func run(_ reconciler: CountingReconciler, triggers: [@Sendable () -> AsyncStream<String>], _ body: () async throws -> Void) async throws {
        let runner = ControllerRunner(
            reconciler: reconciler, workers: 2, resyncInterval: .seconds(3600), triggers: triggers, logger: Logger(label: "test"))
        let task = Task { try await runner.run() }
        defer { task.cancel() }
        try await body()
    }

    @Test func aScaleDoesNotWakeDNSAndADomainDoes() async throws {
        try await withStore { store in
            let dns = DNSReconciler(store: store, cloudflare: nil, target: nil, logger: Logger(label: "test"))
            let counted = CountingReconciler(dns)
            try await run(counted, triggers: dns.triggers()) {
                _ = try await store.createApp(name: "web", environment: .production)
                _ = try await store.updateSpec("web") { $0.processes["web"]?.count = 3 }
                _ = try await store.changeConfig("web", ["A": .set("1")], by: "t")
                _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
                try await Task.sleep(for: .milliseconds(500))
                #expect(counted.count == 0)

                _ = try await store.addDomain("web", name: "www.example.com")
                try await eventually { try await store.domains("web").first?.dns?.state == .unmanaged }
                try await counted.waitUntilQuiet()
                #expect(counted.passes.withLock { $0 } == ["web"])
                // Without a token there is nothing to resync: no app needs a pass.
                #expect(try await dns.resyncKeys() == [])
            }
        }
    }

    /// The wake-ups are counted where the change feed hands them to the runner, not as passes: the
    /// reconciler's own requeues (health checks, waits for readiness) may run a pass at any time
    /// on a loaded machine, and are not what this test is about.
    @Test func aDomainAddDoesNotWakeContainersAndAScaleDoes() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let containers = makeReconciler(store, runtime)
            let wakes = WakeLog()
            let recorded: [@Sendable () -> AsyncStream<String>] = containers.triggers().map { trigger in
                {
                    let stream = trigger()
                    return AsyncStream { continuation in
                        let task = Task {
                            for await key in stream {
                                wakes.keys.withLock { $0.append(key) }
                                continuation.yield(key)
                            }
                            continuation.finish()
                        }
                        continuation.onTermination = { _ in task.cancel() }
                    }
                }
            }
            try await run(CountingReconciler(containers), triggers: recorded) {
                _ = try await store.createApp(name: "web", environment: .production)
                _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
                try await eventually { try await store.release("web", version: 1).status == .active }
                try await Task.sleep(for: .milliseconds(300))

                let before = wakes.keys.withLock { $0.count }
                #expect(before > 0, "the create and the release woke the reconciler")
                _ = try await store.addDomain("web", name: "www.example.com")
                try await Task.sleep(for: .milliseconds(500))
                #expect(wakes.keys.withLock { Array($0.dropFirst(before)) } == [], "a domain add woke the container reconciler")

                _ = try await store.updateSpec("web") { $0.processes["web"]?.count = 2 }
                try await eventually { wakes.keys.withLock { $0.dropFirst(before).contains("web") } }
                try await eventually { runtime.state.withLock { $0.containers.count } == 2 }
            }
        }
    }

    @Test func routingWakesForDomainsAndUpstreamsNotForScaling() {
        #expect(RouteReconciler.changeKinds.contains(.domains))
        #expect(RouteReconciler.changeKinds.contains(.upstreams))
        #expect(!RouteReconciler.changeKinds.contains(.spec))
        #expect(!ContainerReconciler.changeKinds.contains(.domains))
        #expect(DNSReconciler.changeKinds == [.domains, .deleted])
    }
}
