import Foundation
import Logging
import PvdifyModel
import PvdifyStore
import Testing
@testable import PvdifyControllers

/// What the container reconciler remembers stays proportional to what exists, not to history.
/// The port ranges here lie below the kernel's ephemeral range (32768 and up), where an
/// outgoing connection of another test could hold a port for a moment, and above the ones
/// `Loopback.claimPort` hands out.
@Suite struct MemoryBoundsTests {
    @Test func factsAndPullMarksOfPastReleasesAndRemovedContainersAreDropped() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = ContainerReconciler(
                store: store, runtime: runtime, logs: AppLogs(), probe: HealthyProbe(), drainPeriod: 0, workerSettleTime: 0,
                portRange: 32_000...32_099, logger: Logger(label: "test"))
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.updateSpec("web") { $0.processes["web"]?.count = 2 }
            for version in 1...8 {
                _ = try await store.createRelease("web", image: "reg.io/web:\(version)", by: "t")
                for _ in 0..<12 { _ = try await reconciler.reconcile("web") }
                #expect(try await store.release("web", version: version).status == .active)
            }
            let existing = Set(runtime.state.withLock { $0.containers.keys })
            #expect(existing.count == 2)
            let facts = await reconciler.memory.facts("web")
            #expect(facts.rolloutStarted.isEmpty, "no rollout in progress: \(facts.rolloutStarted)")
            #expect(facts.healthy.isSubset(of: existing))
            #expect(Set(facts.lastChecked.keys).isSubset(of: existing))
            #expect(await reconciler.memory.isPulled("web", release: 8))
            #expect(!(await reconciler.memory.isPulled("web", release: 1)))
            // Two web instances hold two ports; the 14 retired ones gave theirs back.
            #expect(await reconciler.ports.reservedCount == 2)
        }
    }

    @Test func portsOfContainersThatWentOtherwiseComeBackAtAResync() async throws {
        let ports = PortAllocator(range: 32_100...32_199, handoutGrace: .zero)
        let first = try await ports.allocate()
        _ = try await ports.allocate()
        _ = try await ports.allocate()
        #expect(await ports.reservedCount == 3)
        // Only the first one's container is still there.
        await ports.reserveOnly([first])
        #expect(await ports.reservedCount == 1)
        let recent = PortAllocator(range: 32_200...32_299)
        _ = try await recent.allocate()
        await recent.reserveOnly([])
        #expect(await recent.reservedCount == 1, "a port just handed out stays reserved until its container shows up")
    }

    @Test func aPortThatAContainerOutsidePvdifyPublishesIsNeverHandedOut() async throws {
        try await withStore { store in
            // Nothing listens on 32_300, but a container of someone else's claims it (Podman
            // forwards it to that container once it runs): the web instance must get 32_301.
            let runtime = FakeRuntime()
            runtime.state.withLock { $0.foreignPorts = [32_300] }
            let reconciler = ContainerReconciler(
                store: store, runtime: runtime, logs: AppLogs(), probe: HealthyProbe(), drainPeriod: 0,
                workerSettleTime: 0, portRange: 32_300...32_301, logger: Logger(label: "test"))
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
            for _ in 0..<5 { _ = try await reconciler.reconcile("web") }
            let ports = runtime.state.withLock { $0.containers.values.compactMap(\.hostPort) }
            #expect(ports == [32_301])
        }
    }

    @Test func pruningKeepsOnlyExistingContainersAndTheReleaseRollingOut() {
        var facts = InstanceFacts()
        for name in ["a", "b", "c"] {
            facts.healthy.insert(name)
            facts.restarts[name] = 1
            facts.failures[name] = 2
            facts.retiringSince[name] = Date()
        }
        facts.rolloutStarted = [1: Date(), 2: Date()]
        facts.prune(existing: ["b"], rollingOut: 2)
        #expect(facts.healthy == ["b"])
        #expect(Array(facts.restarts.keys) == ["b"])
        #expect(Array(facts.failures.keys) == ["b"])
        #expect(Array(facts.retiringSince.keys) == ["b"])
        #expect(Array(facts.rolloutStarted.keys) == [2])
        facts.prune(existing: [], rollingOut: nil)
        #expect(facts.healthy.isEmpty && facts.rolloutStarted.isEmpty && facts.restarts.isEmpty)
    }
}
