import Foundation
import Logging
import PvdifyModel
@testable import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct PreviewReconcilerTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000)

    @Test func expiredPreviewsAreDeletedAndTheNextExpiryIsAwaited() async throws {
        try await withStore { store in
            _ = try await store.createApp(name: "app", environment: .production)
            try await store.updateSpec("app") { $0.previews.ttlSeconds = 3600 }
            let clock = TestClock(start)
            _ = try await store.upsertPreview("app", PreviewRequest(prNumber: 1, image: "reg.io/a:1"), by: "test", now: start)
            _ = try await store.upsertPreview(
                "app", PreviewRequest(prNumber: 2, image: "reg.io/a:2"), by: "test", now: start.addingTimeInterval(1800))
            let sweeper = PreviewReconciler(store: store, now: { clock.now }, logger: Logger(label: "test"))

            // Nothing expired yet: come back when the first one expires.
            #expect(try await sweeper.reconcile(PreviewReconciler.sweepKey) == .after(.seconds(3600)))
            #expect(try await store.previewRecords("app").count == 2)

            clock.advance(3600)
            #expect(try await sweeper.reconcile(PreviewReconciler.sweepKey) == .after(.seconds(1800)))
            #expect(try await store.previewRecords("app").map(\.prNumber) == [2])
            await #expect(throws: StoreError.self) { try await store.app("app-pr-1") }
            #expect(try await store.app("app-pr-2").app.previewOf == "app")

            // An update restarts the TTL.
            _ = try await store.upsertPreview("app", PreviewRequest(prNumber: 2, image: "reg.io/a:3"), by: "test", now: clock.now)
            clock.advance(1800)
            #expect(try await sweeper.reconcile(PreviewReconciler.sweepKey) == .after(.seconds(1800)))
            clock.advance(1800)
            #expect(try await sweeper.reconcile(PreviewReconciler.sweepKey) == .done)
            #expect(try await store.previewRecords("app").isEmpty)
            #expect(try await store.appNames() == ["app"])
        }
    }

    @Test func waitsAtMostAnHourAndAtLeastASecond() {
        let now = Date(timeIntervalSince1970: 1000)
        #expect(PreviewReconciler.result(nextExpiry: nil, now: now) == .done)
        #expect(PreviewReconciler.result(nextExpiry: now.addingTimeInterval(86_400), now: now) == .after(.seconds(3600)))
        #expect(PreviewReconciler.result(nextExpiry: now.addingTimeInterval(-5), now: now) == .after(.seconds(1)))
        #expect(PreviewReconciler.result(nextExpiry: now.addingTimeInterval(90), now: now) == .after(.seconds(90)))
    }

    @Test func previewAppsWithoutARecordAreDeleted() async throws {
        try await withStore { store in
            _ = try await store.createApp(name: "app", environment: .production)
            // A preview app whose record is gone (as a restored backup from before records could leave).
            try await store.write { db in
                _ = try Store.insertApp(db, name: "app-pr-7", spec: AppSpec(), previewOf: "app", prNumber: 7)
                return ((), [])
            }
            _ = try await store.upsertPreview("app", PreviewRequest(prNumber: 8, image: "reg.io/a:1"), by: "test")
            let sweeper = PreviewReconciler(store: store, now: { Date() }, logger: Logger(label: "test"))
            _ = try await sweeper.reconcile(PreviewReconciler.sweepKey)
            #expect(try await store.appNames() == ["app", "app-pr-8"])
        }
    }

    @Test func appsWithoutPreviewsGiveNothingToWaitFor() async throws {
        try await withStore { store in
            for index in 0..<50 { _ = try await store.createApp(name: "idle\(index)", environment: .production) }
            let sweeper = PreviewReconciler(store: store, now: { Date() }, logger: Logger(label: "test"))
            // Apps without previews give the sweeper nothing to wait for.
            #expect(try await sweeper.reconcile(PreviewReconciler.sweepKey) == .done)
            #expect(try await sweeper.resyncKeys() == [PreviewReconciler.sweepKey])
        }
    }

    @Test func aParentChangeIsDerivedIntoItsPreviewsWithoutRestartingTheTTL() async throws {
        try await withStore { store in
            _ = try await store.createApp(name: "app", environment: .production)
            _ = try await store.changeConfig("app", ["A": .set("1"), "TOKEN": .secret("t0ken")], by: "test")
            let created = try await store.upsertPreview("app", PreviewRequest(prNumber: 1, image: "reg.io/a:1"), by: "test")
            let reconciler = PreviewReconciler(store: store, logger: Logger(label: "test"))
            // Nothing changed: nothing to do.
            #expect(try await store.refreshPreviews("app").isEmpty)

            try await store.updateSpec("app") {
                $0.processes["worker"] = ProcessSpec(command: "work", count: 3)
                $0.previews.secrets = ["TOKEN"]
                $0.previews.config = ["A": "2"]
            }
            #expect(try await reconciler.reconcile("app") == .done)
            let preview = try await store.app("app-pr-1").app
            #expect(preview.spec.processes["worker"] == ProcessSpec(command: "work", count: 1))
            let config = try #require(try await store.currentConfig("app-pr-1"))
            #expect(config.vars == ["A": "2"] && config.secretNames == ["TOKEN"])
            #expect(try await store.resolvedConfig("app-pr-1", version: config.version)["TOKEN"] == "t0ken")
            // A new release carries the new config; the TTL still counts from the last update.
            #expect(try await store.releases("app-pr-1").count == 2)
            #expect(try await store.previewRecords("app").first?.expiresAt == created.preview.expiresAt)
            // A preview app's own key, or an app without previews, changes nothing.
            #expect(try await store.refreshPreviews("app-pr-1").isEmpty)
            #expect(try await reconciler.reconcile("app-pr-1") == .done)
        }
    }
}
