import Foundation
import Logging
import PvdifyControllers
import PvdifyStore
import ServiceLifecycle
import Synchronization
import Testing

/// Leadership among replicas sharing one store: one leads, a stopped leader hands over at once,
/// and a leader whose lease was taken stops.
@Suite struct LeaderElectorTests {
    func elector(_ store: Store, _ holder: String, lease: TimeInterval = 2) -> LeaderElector {
        LeaderElector(store: store, holder: holder, leaseDuration: lease, renewInterval: .milliseconds(100), logger: Logger(label: "test"))
    }

    @Test func oneLeadsAndAStoppedLeaderHandsOver() async throws {
        try await withStore { store in
            // A lease far longer than the test waits: only a release lets "b" lead.
            let first = elector(store, "a", lease: 120)
            let second = elector(store, "b", lease: 120)
            let firstRun = Task { try await first.run() }
            try await eventually { first.isLeader }
            let secondRun = Task { try await second.run() }
            try await Task.sleep(for: .milliseconds(500))
            #expect(!second.isLeader, "two replicas led at once")
            // Stopping releases the lease: the follower takes it without waiting for the expiry.
            firstRun.cancel()
            try await firstRun.value
            #expect(!first.isLeader)
            try await eventually { second.isLeader }
            secondRun.cancel()
            try await secondRun.value
        }
    }

    @Test func aLeaderWhoseLeaseWasTakenStops() async throws {
        try await withStore { store in
            let leader = elector(store, "a")
            let run = Task { try await leader.run() }
            try await eventually { leader.isLeader }
            // Another replica took the lease (as after a pause longer than the lease): "a" stops.
            _ = try await store.claimLeadership(holder: "b", for: 60, now: Date().addingTimeInterval(60))
            await #expect(throws: LeaderElector.LeadershipLost.self) { try await run.value }
            #expect(!leader.isLeader)
        }
    }

    @Test func followersRunNothingUntilTheyLead() async throws {
        try await withStore { store in
            _ = try await store.claimLeadership(holder: "other", for: 1.5)
            let follower = elector(store, "b")
            let ran = RanFlag()
            let gated = LeaderOnly(follower, RecordingService(ran: ran))
            let electorRun = Task { try await follower.run() }
            let gatedRun = Task { try await gated.run() }
            try await Task.sleep(for: .milliseconds(500))
            #expect(!ran.value, "a follower ran a reconciler")
            // The other replica's lease expires unrenewed: "b" leads and the gated service starts.
            try await eventually { ran.value }
            #expect(follower.isLeader)
            gatedRun.cancel()
            electorRun.cancel()
            _ = try? await gatedRun.value
            try await electorRun.value
        }
    }
}

/// Whether a gated service has started.
final class RanFlag: Sendable {
    private let ran = Atomic<Bool>(false)
    var value: Bool { ran.load(ordering: .acquiring) }
    func set() { ran.store(true, ordering: .releasing) }
}

/// A service that records that it started, then waits.
struct RecordingService: Service {
    let ran: RanFlag
    func run() async throws {
        ran.set()
        try await Task.sleep(for: .seconds(60))
    }
}
