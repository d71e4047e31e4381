import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// The leader lease and the fencing of status writes, on every backend.
@Suite struct LeadershipTests {
    @Test(arguments: StoreBackend.available) func oneHolderAtATimeAndANewHolderGetsTheNextToken(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let start = Date(timeIntervalSince1970: 1_000_000)
            let first = try await store.claimLeadership(holder: "a", for: 10, now: start)
            #expect(first.holder == "a")
            // Another replica is refused while the lease runs, and the holder renews with the same token.
            #expect(try await store.claimLeadership(holder: "b", for: 10, now: start.addingTimeInterval(5)) == first)
            let renewed = try await store.claimLeadership(holder: "a", for: 10, now: start.addingTimeInterval(8))
            #expect(renewed.holder == "a" && renewed.token == first.token)
            #expect(try await store.claimLeadership(holder: "b", for: 10, now: start.addingTimeInterval(17)).holder == "a")
            // Expired: the next claim takes it, with the next fencing token.
            let taken = try await store.claimLeadership(holder: "b", for: 10, now: start.addingTimeInterval(19))
            #expect(taken.holder == "b" && taken.token == first.token + 1)
            // Released: taken at once, before it would have expired.
            try await store.releaseLeadership(holder: "b")
            let back = try await store.claimLeadership(holder: "a", for: 10, now: start.addingTimeInterval(20))
            #expect(back.holder == "a" && back.token == first.token + 2)
        }
    }

    @Test(arguments: StoreBackend.available) func aDeposedLeadersStatusWritesAreRefused(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.createApp(name: "web", environment: .production)
            let now = Date()
            let lease = try await store.claimLeadership(holder: "a", for: 1, now: now.addingTimeInterval(-10))
            store.fence(with: lease.token)
            // The lease expired unnoticed and "b" took it: "a"'s status writes no longer land.
            let successor = try await store.claimLeadership(holder: "b", for: 10, now: now)
            #expect(successor.token == lease.token + 1)
            await #expect(throws: StoreError.self) { try await store.updateStatus("web") { $0.observedGeneration = 7 } }
            await #expect(throws: StoreError.self) { try await store.setReleaseStatus("web", version: 1, .failed) }
            #expect(try await store.app("web").status?.observedGeneration == nil)
            // Carrying the lease's token, they do.
            store.fence(with: successor.token)
            try await store.updateStatus("web") { $0.observedGeneration = 8 }
            #expect(try await store.app("web").status?.observedGeneration == 8)
            // Without a token (one server, no lease), writes are not checked.
            store.fence(with: nil)
            try await store.updateStatus("web") { $0.observedGeneration = 9 }
            #expect(try await store.app("web").status?.observedGeneration == 9)
        }
    }

    /// The desired-state writes only reconcilers make (a GitOps sync, preview upkeep, GitHub
    /// deployment records) are fenced too: a deposed leader cannot apply an old revision.
    @Test(arguments: StoreBackend.available) func aDeposedLeadersReconcilerWritesAreRefused(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.createSource(name: "platform", spec: SourceSpec(url: "file:///srv/platform.git"))
            let documents = [SourcedManifest(manifest: AppManifest(name: "synced", spec: AppSpec(), domains: [], config: [:], secrets: []), path: "synced.yaml")]
            let sync = { try await store.syncSource("platform", revision: String(repeating: "a", count: 40), documents: documents, dryRun: false) { snapshot in
                SourceSyncPlan(apply: snapshot.desired.map(\.app))
            } }
            let deployment = GitHubDeployment(
                previewApp: "synced-pr-1", sha: String(repeating: "b", count: 40), parent: "synced", prNumber: 1, repo: "org/app",
                installationID: 1, environment: "preview", createdAt: Date())
            let now = Date()
            let lease = try await store.claimLeadership(holder: "a", for: 1, now: now.addingTimeInterval(-10))
            store.fence(with: lease.token)
            _ = try await store.claimLeadership(holder: "b", for: 10, now: now)

            await #expect(throws: StoreError.self) { _ = try await sync() }
            await #expect(throws: StoreError.self) { _ = try await store.sweepPreviews(now: now) }
            await #expect(throws: StoreError.self) { try await store.recordGitHubDeployment(deployment) }
            await #expect(throws: StoreError.self) { try await store.deleteGitHubDeployment(app: "synced-pr-1", sha: deployment.sha) }
            #expect(try await store.appNames().contains("synced") == false)

            // Unfenced (one server), the same sync lands.
            store.fence(with: nil)
            _ = try await sync()
            #expect(try await store.appNames().contains("synced"))
        }
    }

    @Test(arguments: StoreBackend.available) func theInstallationIDIsMadeOnceAndShared(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let first = try await store.installationID()
            #expect(first.count == 12 && first.allSatisfy(\.isHexDigit))
            #expect(try await store.installationID() == first)
        }
    }
}
