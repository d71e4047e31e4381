import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// The apps list's release summaries: one read for every app.
struct ReleaseSummariesTests {
    @Test(arguments: StoreBackend.available) func eachAppHasItsActiveVersionAndLastReleaseTime(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.createApp(name: "api", environment: .production)
            _ = try await store.createApp(name: "idle", environment: .production)
            _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
            try await store.setReleaseStatus("web", version: 1, .active)
            let second = try await store.createRelease("web", image: "reg.io/web:2", by: "t")
            let api = try await store.createRelease("api", image: "reg.io/api:1", by: "t")
            let summaries = try await store.releaseSummaries()
            #expect(summaries["web"]?.activeVersion == 1)
            #expect(abs((summaries["web"]?.lastCreatedAt ?? .distantPast).timeIntervalSince(second.createdAt)) < 0.001)
            #expect(summaries["api"]?.activeVersion == nil)
            #expect(abs((summaries["api"]?.lastCreatedAt ?? .distantPast).timeIntervalSince(api.createdAt)) < 0.001)
            #expect(summaries["idle"] == nil)
        }
    }
}
