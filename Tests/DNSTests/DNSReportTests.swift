import Foundation
import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import Testing

/// What a DNS pass says, per domain and on the app's DNSReady condition.
@Suite struct DNSReportTests {
    let target = DNSTarget("lb.example.net")
    let www = Domain(name: "www.example.com", app: "web", status: .provisioning, ssl: false, verifyToken: nil, message: nil, createdAt: Date())
    let shop = Domain(name: "shop.other.org", app: "web", status: .verifying, ssl: false, verifyToken: "pvdify-abc", message: nil, createdAt: Date())

    @Test func noCustomDomainsIsReady() {
        let (reports, condition) = DNSReport.make(app: "web", domains: [], mode: .unmanaged, target: target)
        #expect(reports.isEmpty)
        #expect(condition == .init(ready: true, reason: ConditionReason.noCustomDomains, message: ""))
    }

    @Test func unmanaged() {
        let (reports, condition) = DNSReport.make(app: "web", domains: [www, shop], mode: .unmanaged, target: target)
        #expect(reports["www.example.com"]?.state == .unmanaged)
        #expect(reports["www.example.com"]?.message == "DNS is not managed by pvdify (CLOUDFLARE_API_TOKEN is not set): point it at lb.example.net (CNAME) yourself")
        #expect(reports["shop.other.org"]?.message?.hasSuffix("; to verify ownership, create TXT _pvdify-verify.shop.other.org with content pvdify-abc") == true)
        #expect(!condition.ready)
        #expect(condition.reason == ConditionReason.dnsNotManaged)
    }

    @Test func managedReadyConflictAndNoZone() {
        let cname = DNSRecordFields(type: "CNAME", name: "www.example.com", content: "lb.example.net", ttl: 1, proxied: true, comment: "pvdify:app=web")
        let ready = DNSReport.make(
            app: "web", domains: [www], mode: .managed(["www.example.com": .init(address: .inPlace(cname), verification: .notAsked)]), target: target)
        #expect(ready.dns["www.example.com"] == DomainDNS(state: .ready, message: "CNAME www.example.com → lb.example.net (proxied)"))
        #expect(ready.condition == .init(ready: true, reason: ConditionReason.recordsInPlace, message: ""))

        let foreign = DNSRecord(id: "1", fields: DNSRecordFields(type: "A", name: "www.example.com", content: "192.0.2.1"))
        let outcomes: [String: DomainOutcome] = [
            "www.example.com": .init(address: .conflict([foreign]), verification: .notAsked),
            "shop.other.org": .init(address: .noZone, verification: .noZone(token: "pvdify-abc")),
        ]
        let troubled = DNSReport.make(app: "web", domains: [www, shop], mode: .managed(outcomes), target: target)
        #expect(troubled.dns["www.example.com"]?.state == .conflict)
        #expect(troubled.dns["www.example.com"]?.message?.contains("already has a record pvdify does not own (A → 192.0.2.1)") == true)
        #expect(troubled.dns["www.example.com"]?.message?.contains("'pvdify:app=web'") == true)
        #expect(troubled.dns["shop.other.org"]?.state == .noZone)
        #expect(troubled.dns["shop.other.org"]?.message?.contains("create TXT _pvdify-verify.shop.other.org with content pvdify-abc") == true)
        #expect(troubled.condition == .init(
            ready: false, reason: ConditionReason.recordConflict, message: "www.example.com: conflict, shop.other.org: no_zone"))
    }

    @Test func rejectedToken() {
        let (reports, condition) = DNSReport.make(app: "web", domains: [www], mode: .tokenRejected("Invalid access token (9109)"), target: target)
        #expect(reports["www.example.com"]?.state == .error)
        #expect(reports["www.example.com"]?.message?.contains("Cloudflare rejected CLOUDFLARE_API_TOKEN (Invalid access token (9109))") == true)
        #expect(condition.reason == ConditionReason.tokenInvalid)
        #expect(!condition.ready)
    }
}
