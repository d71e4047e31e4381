import Foundation
import Logging
import PvdifyControllers
import PvdifyModel
import Testing

@testable import PvdifyStore

/// A preview app's URL host gets an address record while the preview lives (the DNS reconciler in
/// process, a real store, the real client against the Cloudflare stand-in); other apps get none.
@Suite struct PreviewDNSTests {
    /// Runs `body` with a stand-in holding zone `example.com`, a fresh store, and a reconciler
    /// pointing at `lb.example.net` with `baseDomain`.
    func withReconciler(
        baseDomain: String?, _ body: (FakeCloudflareServer, Store, DNSReconciler) async throws -> Void
    ) async throws {
        try await DNSReconcilerTests().withHarness(baseDomain: baseDomain) { h in try await body(h.fake, h.store, h.reconciler) }
    }

    func resyncAndReconcile(_ reconciler: DNSReconciler) async throws {
        for key in try await reconciler.resyncKeys() { _ = try await reconciler.reconcile(key) }
    }

    @Test func aPreviewHasARecordAtItsHostUntilItIsDeleted() async throws {
        try await withReconciler(baseDomain: "apps.example.com") { fake, store, reconciler in
            _ = try await store.createApp(name: "shop", environment: .production)
            _ = try await store.upsertPreview("shop", PreviewRequest(prNumber: 7, image: "reg.io/shop:7"), by: "test")
            try await resyncAndReconcile(reconciler)
            let records = try await fake.records()
            #expect(records.map(\.name) == ["shop-pr-7.apps.example.com"], "only the preview's host, not the parent's")
            let record = try #require(records.first)
            #expect(record.type == "CNAME" && record.content == "lb.example.net" && record.proxied)
            #expect(record.comment == "pvdify:app=shop-pr-7")

            // Converged: another pass changes nothing in Cloudflare.
            let mutations = try await fake.stats().mutations
            try await resyncAndReconcile(reconciler)
            #expect(try await fake.stats().mutations == mutations)

            try await store.deletePreview("shop", number: 7)
            try await resyncAndReconcile(reconciler)
            #expect(try await fake.records().isEmpty)
        }
    }

    @Test func withoutABaseDomainNoPreviewGetsARecord() async throws {
        try await withReconciler(baseDomain: nil) { fake, store, reconciler in
            _ = try await store.createApp(name: "shop", environment: .production)
            _ = try await store.upsertPreview("shop", PreviewRequest(prNumber: 7, image: "reg.io/shop:7"), by: "test")
            try await resyncAndReconcile(reconciler)
            #expect(try await fake.records().isEmpty)
        }
    }

    @Test func aNewPreviewGetsItsRecordWithoutWaitingForAResync() async throws {
        try await withReconciler(baseDomain: "apps.example.com") { fake, store, reconciler in
            _ = try await store.createApp(name: "shop", environment: .production)
            // Resyncs an hour apart: after the first, only the change feed can bring a pass.
            let runner = ControllerRunner(
                reconciler: reconciler, workers: 2, resyncInterval: .seconds(3600), triggers: reconciler.triggers(),
                logger: Logger(label: "dns-test"))
            let running = Task { try await runner.run() }
            defer { running.cancel() }
            try await eventually("the first resync's pass of the parent") {
                try await store.app("shop").status?.conditions.contains { $0.type == ConditionType.dnsReady } == true
            }
            _ = try await store.upsertPreview("shop", PreviewRequest(prNumber: 8, image: "reg.io/shop:8"), by: "test")
            try await eventually("the preview's record", timeout: .seconds(10)) {
                try await fake.records(named: "shop-pr-8.apps.example.com").count == 1
            }
            try await store.deletePreview("shop", number: 8)
            try await eventually("the preview's record deleted", timeout: .seconds(10)) { try await fake.records().isEmpty }
        }
    }
}
