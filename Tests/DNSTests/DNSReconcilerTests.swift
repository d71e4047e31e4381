import Foundation
import GRDB
import Logging
import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import Testing

@testable import PvdifyStore

/// The DNS reconciler in process, with a real store and the real client against the Cloudflare stand-in.
@Suite struct DNSReconcilerTests {
    /// A stand-in with zone `example.com`, a fresh store, and a reconciler pointing domains at `target`.
    struct Harness {
        let fake: FakeCloudflareServer
        let zone: String
        let store: Store
        let reconciler: DNSReconciler

        /// Rows the store has changed so far (SQLite's count on the store's one writer connection).
        func storeChanges() async throws -> Int {
            try await (store.database as! SQLiteDatabase).pool.write { db in db.totalChangesCount }
        }

        /// A resync (token check, zone scan) and one pass of each key it returns.
        func resyncAndReconcile() async throws {
            for key in try await reconciler.resyncKeys() { _ = try await reconciler.reconcile(key) }
        }

        func domain(_ name: String, of app: String = "web") async throws -> Domain? {
            try await store.domains(app).first { $0.name == name }
        }

        func condition(_ app: String = "web") async throws -> Condition? {
            try await store.app(app).status?.conditions.first { $0.type == ConditionType.dnsReady }
        }
    }

    func withHarness(
        token: String? = FakeCloudflareServer.token, target: String = "lb.example.net", baseDomain: String? = nil,
        _ body: (Harness) async throws -> Void
    ) async throws {
        let fake = try await FakeCloudflareServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-dns-\(UUID().uuidString)")
        let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
        defer {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
            fake.stop()
        }
        let zone = try await fake.addZone("example.com")
        let client = token.map { fake.client(token: $0) }
        let reconciler = DNSReconciler(
            store: store, cloudflare: client, target: DNSTarget(target), baseDomain: baseDomain, logger: Logger(label: "dns-test"))
        try await body(Harness(fake: fake, zone: zone, store: store, reconciler: reconciler))
    }

    @Test func createsAMarkedRecordAndAPassWithNothingToDoWritesNothing() async throws {
        try await withHarness { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            try await h.resyncAndReconcile()

            let records = try await h.fake.records()
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record == SeenRecord(
                .object([
                    "id": .string(record.id), "zone_id": .string(h.zone), "type": "CNAME", "name": "www.example.com", "content": "lb.example.net",
                    "proxied": true, "comment": "pvdify:app=web",
                ])))
            let domain = try #require(try await h.domain("www.example.com"))
            #expect(domain.dns == DomainDNS(state: .ready, message: "CNAME www.example.com → lb.example.net (proxied)"))
            #expect(domain.status == .provisioning)  // routing's field: untouched
            #expect(try await h.condition()?.status == "True")
            #expect(try await h.condition()?.reason == ConditionReason.recordsInPlace)

            let calls = try await h.fake.stats()
            let changes = try await h.storeChanges()
            #expect(changes > 0)  // the count does see the first pass's writes
            try await h.resyncAndReconcile()
            try await h.resyncAndReconcile()
            #expect(try await h.fake.stats().mutations == calls.mutations, "no mutating Cloudflare call")
            #expect(try await h.storeChanges() == changes, "no store write")
        }
    }

    @Test func aRecordPvdifyDoesNotOwnIsAConflictAndIsLeftAlone() async throws {
        try await withHarness { h in
            let foreign = try await h.fake.createByHand(zoneID: h.zone, #"{"type":"A","name":"api.example.com","content":"192.0.2.10","comment":"ours, not pvdify's"}"#)
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "api.example.com")
            let mutations = try await h.fake.stats().mutations
            try await h.resyncAndReconcile()

            #expect(try await h.fake.stats().mutations == mutations)
            let records = try await h.fake.records(named: "api.example.com")
            #expect(records.map(\.id) == [foreign])
            #expect(records.first?.content == "192.0.2.10")
            let domain = try #require(try await h.domain("api.example.com"))
            #expect(domain.dns?.state == .conflict)
            #expect(domain.dns?.message?.contains("already has a record pvdify does not own (A → 192.0.2.10)") == true)
            #expect(domain.status == .provisioning)
            #expect(try await h.condition()?.reason == ConditionReason.recordConflict)

            // Handing the record over (the marker in its comment) lets pvdify converge it.
            try await h.fake.byHand("PATCH", "/zones/\(h.zone)/dns_records/\(foreign)", json: #"{"comment":"pvdify:app=web"}"#)
            try await h.resyncAndReconcile()
            let adopted = try await h.fake.records(named: "api.example.com")
            #expect(adopted.map(\.id) == [foreign])
            #expect(adopted.first?.type == "CNAME")
            #expect(adopted.first?.content == "lb.example.net")
            #expect(try await h.domain("api.example.com")?.dns?.state == .ready)
        }
    }

    @Test func recordsDeletedOrEditedByHandAreRestored() async throws {
        try await withHarness { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            try await h.resyncAndReconcile()
            let first = try #require(try await h.fake.records(named: "www.example.com").first)

            try await h.fake.byHand("DELETE", "/zones/\(h.zone)/dns_records/\(first.id)")
            try await h.resyncAndReconcile()
            let restored = try #require(try await h.fake.records(named: "www.example.com").first)
            #expect(restored.id != first.id)
            #expect(restored.content == "lb.example.net")
            #expect(restored.comment == "pvdify:app=web")

            try await h.fake.byHand(
                "PATCH", "/zones/\(h.zone)/dns_records/\(restored.id)", json: #"{"content":"evil.example.org","proxied":false}"#)
            try await h.resyncAndReconcile()
            let healed = try await h.fake.records(named: "www.example.com")
            #expect(healed.map(\.id) == [restored.id])
            #expect(healed.first?.content == "lb.example.net")
            #expect(healed.first?.proxied == true)
        }
    }

    @Test func removedDomainsAndDeletedAppsLoseTheirRecordsAndOnlyThose() async throws {
        try await withHarness { h in
            let foreign = try await h.fake.createByHand(zoneID: h.zone, #"{"type":"CNAME","name":"blog.example.com","content":"host.example.org"}"#)
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            _ = try await h.store.addDomain("web", name: "shop.example.com")
            _ = try await h.store.requestVerification("web", name: "shop.example.com", token: "pvdify-tok")
            try await h.resyncAndReconcile()
            #expect(try await h.fake.records().count == 4)

            try await h.store.removeDomain("web", name: "shop.example.com")
            _ = try await h.reconciler.reconcile("web")
            #expect(Set(try await h.fake.records().map(\.name)) == ["www.example.com", "blog.example.com"])

            try await h.store.deleteApp("web")
            _ = try await h.reconciler.reconcile("web")
            #expect(try await h.fake.records().map(\.id) == [foreign])
        }
    }

    @Test func orphansOfAppsThisStoreNeverKnewAreFoundByTheResyncScan() async throws {
        try await withHarness { h in
            // Left behind by an app deleted while pvdifyd was down.
            try await h.fake.createByHand(
                zoneID: h.zone, #"{"type":"CNAME","name":"gone.example.com","content":"lb.example.net","proxied":true,"comment":"pvdify:app=gone"}"#)
            #expect(try await h.reconciler.resyncKeys().contains("gone"))
            _ = try await h.reconciler.reconcile("gone")
            #expect(try await h.fake.records().isEmpty)
        }
    }

    @Test func verificationCreatesConfirmsAndActivates() async throws {
        try await withHarness { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            _ = try await h.store.requestVerification("web", name: "www.example.com", token: "pvdify-0123abcd")
            try await h.resyncAndReconcile()

            let txt = try #require(try await h.fake.records(named: "_pvdify-verify.www.example.com").first)
            #expect(txt.type == "TXT")
            #expect(txt.content == "\"pvdify-0123abcd\"")
            #expect(txt.comment == "pvdify:app=web")
            let domain = try #require(try await h.domain("www.example.com"))
            #expect(domain.status == .active)
            #expect(domain.dns?.message?.hasSuffix("; ownership verified (TXT _pvdify-verify.www.example.com)") == true)

            // Asking again (a new token) rewrites the same record and verifies again.
            _ = try await h.store.requestVerification("web", name: "www.example.com", token: "pvdify-4567ef")
            #expect(try await h.domain("www.example.com")?.status == .verifying)
            try await h.resyncAndReconcile()
            let again = try await h.fake.records(named: "_pvdify-verify.www.example.com")
            #expect(again.map(\.id) == [txt.id])
            #expect(again.first?.content == "\"pvdify-4567ef\"")
            #expect(try await h.domain("www.example.com")?.status == .active)
        }
    }

    @Test func aDomainOutsideTheAccountStaysVerifyingAndSaysWhatToCreate() async throws {
        try await withHarness { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "shop.other.org")
            _ = try await h.store.requestVerification("web", name: "shop.other.org", token: "pvdify-99")
            try await h.resyncAndReconcile()
            let domain = try #require(try await h.domain("shop.other.org"))
            #expect(domain.status == .verifying)
            #expect(domain.dns?.state == .noZone)
            #expect(domain.dns?.message?.contains("create TXT _pvdify-verify.shop.other.org with content pvdify-99") == true)
            #expect(try await h.fake.records().isEmpty)
            #expect(try await h.condition()?.reason == ConditionReason.zoneNotFound)
        }
    }

    @Test func theLongestZoneWinsAndAnIPv4TargetMakesARecords() async throws {
        try await withHarness(target: "203.0.113.10") { h in
            let shop = try await h.fake.addZone("shop.example.com")
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "a.shop.example.com")
            try await h.resyncAndReconcile()
            let record = try #require(try await h.fake.records(named: "a.shop.example.com").first)
            #expect(record.zoneID == shop)
            #expect(record.type == "A")
            #expect(record.content == "203.0.113.10")
        }
    }

    @Test func withoutATokenDomainsSayDNSIsNotManaged() async throws {
        try await withHarness(token: nil) { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            try await h.resyncAndReconcile()
            let domain = try #require(try await h.domain("www.example.com"))
            #expect(domain.dns?.state == .unmanaged)
            #expect(domain.status == .provisioning)
            #expect(try await h.condition()?.reason == ConditionReason.dnsNotManaged)
            #expect(try await h.fake.stats().requests == 0)
            let changes = try await h.storeChanges()
            try await h.resyncAndReconcile()
            #expect(try await h.storeChanges() == changes)
        }
    }

    @Test func anInvalidTokenIsReportedAndNothingIsChanged() async throws {
        try await withHarness(token: "revoked-token") { h in
            _ = try await h.store.createApp(name: "web", environment: .production)
            _ = try await h.store.addDomain("web", name: "www.example.com")
            try await h.resyncAndReconcile()
            let domain = try #require(try await h.domain("www.example.com"))
            #expect(domain.dns?.state == .error)
            #expect(domain.dns?.message?.contains("Cloudflare rejected CLOUDFLARE_API_TOKEN (Invalid access token (9109))") == true)
            #expect(try await h.condition()?.reason == ConditionReason.tokenInvalid)
            #expect(try await h.fake.records().isEmpty)
        }
    }
}
