import Foundation
import Logging
import PvdifyControllers
import PvdifyModel
import Testing

@testable import PvdifyStore

/// A preview app's URL host gets an address record while the preview lives (the DNS reconciler in
/// process, a real store, the real client against the Cloudflare stand-in); other apps get none.
@Suite struct PreviewDNSTests {
    @Test func aPreviewHasARecordAtItsHostUntilItIsDeleted() async throws {
        let fake = try await FakeCloudflareServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-dns-\(UUID().uuidString)")
        let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
            fake.stop()
        }
        try await fake.addZone("example.com")
        let reconciler = DNSReconciler(
            store: store, cloudflare: fake.client(), target: DNSTarget("lb.example.net"), baseDomain: "apps.example.com",
            logger: Logger(label: "dns-test"))
        func resyncAndReconcile() async throws {
            for key in try await reconciler.resyncKeys() { _ = try await reconciler.reconcile(key) }
        }

        _ = try await store.createApp(name: "shop", environment: .production)
        _ = try await store.upsertPreview("shop", PreviewRequest(prNumber: 7, image: "reg.io/shop:7"), by: "test")
        try await resyncAndReconcile()
        let records = try await fake.records()
        #expect(records.map(\.name) == ["shop-pr-7.apps.example.com"], "only the preview's host, not the parent's")
        let record = try #require(records.first)
        #expect(record.type == "CNAME" && record.content == "lb.example.net" && record.proxied)
        #expect(record.comment == "pvdify:app=shop-pr-7")

        // Converged: another pass changes nothing in Cloudflare.
        let mutations = try await fake.stats().mutations
        try await resyncAndReconcile()
        #expect(try await fake.stats().mutations == mutations)

        try await store.deletePreview("shop", number: 7)
        try await resyncAndReconcile()
        #expect(try await fake.records().isEmpty)
    }

    @Test func withoutABaseDomainNoPreviewGetsARecord() async throws {
        let fake = try await FakeCloudflareServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-dns-\(UUID().uuidString)")
        let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
            fake.stop()
        }
        try await fake.addZone("example.com")
        let reconciler = DNSReconciler(
            store: store, cloudflare: fake.client(), target: DNSTarget("lb.example.net"), logger: Logger(label: "dns-test"))
        _ = try await store.createApp(name: "shop", environment: .production)
        _ = try await store.upsertPreview("shop", PreviewRequest(prNumber: 7, image: "reg.io/shop:7"), by: "test")
        for key in try await reconciler.resyncKeys() { _ = try await reconciler.reconcile(key) }
        #expect(try await fake.records().isEmpty)
    }
}
