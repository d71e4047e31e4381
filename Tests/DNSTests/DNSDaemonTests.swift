import Foundation
import PvdifyModel
import Testing

/// The real `pvdifyd` (no Podman, no Caddy, resync every second) against the Cloudflare stand-in:
/// what a user sees through the API, and what ends up in Cloudflare.
@Suite(.serialized) struct DNSDaemonTests {
    /// Runs `body` with a stand-in (zone `example.com`) and a daemon using it; on failure, shows the daemon's log.
    func withDaemon(cloudflareToken: String? = FakeCloudflareServer.token, _ body: (DNSDaemon, FakeCloudflareServer, String) async throws -> Void)
        async throws
    {
        let fake = try await FakeCloudflareServer.start()
        defer { fake.stop() }
        let zone = try await fake.addZone("example.com")
        let daemon = try DNSDaemon(cloudflare: fake, cloudflareToken: cloudflareToken)
        defer { daemon.cleanUp() }
        try await daemon.start()
        do {
            try await body(daemon, fake, zone)
        } catch {
            Issue.record("pvdifyd log tail:\n\(daemon.log.suffix(6000))")
            throw error
        }
    }

    @Test func addVerifyAndRemoveADomain() async throws {
        try await withDaemon { daemon, fake, _ in
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"www.example.com"}"#)
            try await eventually("the CNAME record") { try await fake.records(named: "www.example.com").count == 1 }
            let record = try #require(try await fake.records(named: "www.example.com").first)
            #expect(record.type == "CNAME")
            #expect(record.content == "lb.example.net")
            #expect(record.proxied)
            #expect(record.comment == "pvdify:app=web")
            try await eventually("dns.status ready") { try await daemon.domain("web", "www.example.com")?["dns"]?["status"] == "ready" }
            #expect(try await daemon.dnsCondition("web")?["status"] == "True")

            let verify = try await daemon.call("POST", "/apps/web/domains/www.example.com/verify")
            let token = try #require(verify["verify_token"]?.stringValue)
            try await eventually("the domain active") { try await daemon.domain("web", "www.example.com")?["status"] == "active" }
            let txt = try #require(try await fake.records(named: "_pvdify-verify.www.example.com").first)
            #expect(txt.content == "\"\(token)\"")
            #expect(txt.comment == "pvdify:app=web")

            try await daemon.call("DELETE", "/apps/web/domains/www.example.com")
            try await eventually("both records gone") { try await fake.records().isEmpty }
        }
    }

    @Test func aConflictingRecordIsLeftAloneAndReported() async throws {
        try await withDaemon { daemon, fake, zone in
            let foreign = try await fake.createByHand(zoneID: zone, #"{"type":"A","name":"api.example.com","content":"192.0.2.10"}"#)
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"api.example.com"}"#)
            try await eventually("dns.status conflict") { try await daemon.domain("web", "api.example.com")?["dns"]?["status"] == "conflict" }
            let domain = try #require(try await daemon.domain("web", "api.example.com"))
            #expect(domain["status"] == "provisioning")
            #expect(domain["message"]?.stringValue?.contains("already has a record pvdify does not own (A → 192.0.2.10)") == true)
            #expect(try await daemon.dnsCondition("web")?["reason"] == "RecordConflict")
            // Several resyncs later, still untouched.
            try await Task.sleep(for: .seconds(2))
            let records = try await fake.records(named: "api.example.com")
            #expect(records.map(\.id) == [foreign])
            #expect(records.first?.content == "192.0.2.10")
            #expect(records.first?.comment == nil)
        }
    }

    @Test func aRecordDeletedByHandIsRestoredAtTheNextResync() async throws {
        try await withDaemon { daemon, fake, zone in
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"www.example.com"}"#)
            try await eventually("the record") { try await fake.records(named: "www.example.com").count == 1 }
            let first = try #require(try await fake.records(named: "www.example.com").first)
            try await fake.byHand("DELETE", "/zones/\(zone)/dns_records/\(first.id)")
            try await eventually("the record restored") {
                try await fake.records(named: "www.example.com").contains { $0.id != first.id && $0.content == "lb.example.net" }
            }
        }
    }

    @Test func deletingAnAppDeletesItsRecordsOnly() async throws {
        try await withDaemon { daemon, fake, zone in
            let foreign = try await fake.createByHand(zoneID: zone, #"{"type":"TXT","name":"example.com","content":"v=spf1 -all"}"#)
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"www.example.com"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"example.com"}"#)
            try await eventually("two records") { try await fake.records().count == 3 }
            try await daemon.call("DELETE", "/apps/web")
            try await eventually("only the foreign record left") { try await fake.records().map(\.id) == [foreign] }
        }
    }

    @Test func ridesOutRateLimitsServerErrorsAndSlowAnswersWithNothingLost() async throws {
        try await withDaemon { daemon, fake, _ in
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await eventually("a first quiet pass") { try await daemon.dnsCondition("web")?["reason"] == "NoCustomDomains" }
            try await fake.fault(status: 429, retryAfter: 1, count: 3)
            try await fake.fault(status: 500, count: 3)
            try await fake.fault(delayMilliseconds: 700, count: 2)
            let names = ["a.example.com", "b.example.com", "c.example.com"]
            for name in names { try await daemon.call("POST", "/apps/web/domains", #"{"name":"\#(name)"}"#) }
            try await eventually("every record, once") {
                let records = try await fake.records()
                return records.count == 3 && Set(records.map(\.name)) == Set(names)
            }
            for name in names {
                try await eventually("\(name) ready") { try await daemon.domain("web", name)?["dns"]?["status"] == "ready" }
            }
            let stats = try await fake.stats()
            #expect(stats.rateLimited == 3)
            #expect(stats.serverErrors == 3)
            #expect(stats.delayed == 2)
            #expect(stats.mutations == 3)
        }
    }

    @Test func anInvalidTokenIsSaidPlainlyInLogsAndStatus() async throws {
        try await withDaemon(cloudflareToken: "revoked-token") { daemon, fake, _ in
            try await eventually("the log line") { daemon.log.contains("CLOUDFLARE_API_TOKEN is invalid") }
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"www.example.com"}"#)
            try await eventually("dns.status error") { try await daemon.domain("web", "www.example.com")?["dns"]?["status"] == "error" }
            let message = try await daemon.domain("web", "www.example.com")?["dns"]?["message"]?.stringValue ?? ""
            #expect(message.contains("Cloudflare rejected CLOUDFLARE_API_TOKEN (Invalid access token (9109))"))
            #expect(try await daemon.dnsCondition("web")?["reason"] == "TokenInvalid")
            #expect(try await fake.records().isEmpty)
        }
    }

    @Test func withoutATokenDomainsRouteAndSayDNSIsNotManaged() async throws {
        try await withDaemon(cloudflareToken: nil) { daemon, fake, _ in
            try await daemon.call("POST", "/apps", #"{"name":"web"}"#)
            try await daemon.call("POST", "/apps/web/domains", #"{"name":"www.example.com"}"#)
            try await eventually("dns.status unmanaged") { try await daemon.domain("web", "www.example.com")?["dns"]?["status"] == "unmanaged" }
            let domain = try #require(try await daemon.domain("web", "www.example.com"))
            #expect(domain["message"]?.stringValue?.hasPrefix("DNS is not managed by pvdify") == true)
            #expect(try await daemon.dnsCondition("web")?["reason"] == "DNSNotManaged")
            #expect(try await fake.stats().requests == 0)
        }
    }
}
