import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import Testing
import Foundation

/// The pure decisions of a DNS pass.
@Suite struct DNSPlannerTests {
    let target = DNSTarget("lb.example.net")!
    let marker = "pvdify:app=web"

    func domain(_ name: String, token: String? = nil) -> Domain {
        Domain(name: name, app: "web", status: token == nil ? .provisioning : .verifying, ssl: false, verifyToken: token, message: nil, createdAt: Date())
    }

    func record(_ id: String, _ type: String, _ name: String, _ content: String, proxied: Bool = true, comment: String? = "pvdify:app=web") -> DNSRecord {
        DNSRecord(id: id, fields: DNSRecordFields(type: type, name: name, content: content, ttl: 1, proxied: proxied && type != "TXT", comment: comment))
    }

    @Test func desiredRecordsOfADomain() {
        let plain = DesiredRecord.records(for: domain("www.example.com"), app: "web", target: target, proxied: true)
        #expect(plain == [
            DesiredRecord(
                domain: "www.example.com", purpose: .address,
                fields: DNSRecordFields(type: "CNAME", name: "www.example.com", content: "lb.example.net", ttl: 1, proxied: true, comment: marker))
        ])
        let verifying = DesiredRecord.records(for: domain("www.example.com", token: "tok"), app: "web", target: nil, proxied: true)
        #expect(verifying == [
            DesiredRecord(
                domain: "www.example.com", purpose: .verification(token: "tok"),
                fields: DNSRecordFields(type: "TXT", name: "_pvdify-verify.www.example.com", content: "\"tok\"", ttl: 1, proxied: false, comment: marker))
        ])
    }

    @Test func everythingInPlaceMeansNothingToDo() {
        let desired = DesiredRecord.records(for: domain("www.example.com", token: "tok"), app: "web", target: target, proxied: true)
        let owned = [
            record("1", "CNAME", "www.example.com", "LB.example.net."),
            record("2", "TXT", "_pvdify-verify.www.example.com", "tok"),  // stored without quotes: the same
        ]
        let plan = DNSPlanner.plan(desired: desired, owned: owned, claimed: ["www.example.com", "_pvdify-verify.www.example.com"])
        #expect(plan.inPlace.map(\.record.id) == ["1", "2"])
        #expect(plan.overwrite.isEmpty && plan.missing.isEmpty && plan.delete.isEmpty && plan.keep.isEmpty)
    }

    @Test func handEditsAreOverwrittenAndExtrasDeleted() {
        let desired = DesiredRecord.records(for: domain("www.example.com"), app: "web", target: target, proxied: true)
        let owned = [
            record("1", "A", "www.example.com", "192.0.2.7"),
            record("2", "CNAME", "www.example.com", "lb.example.net", proxied: false),
        ]
        let plan = DNSPlanner.plan(desired: desired, owned: owned, claimed: ["www.example.com"])
        #expect(plan.overwrite.map(\.record.id) == ["1"])
        #expect(plan.delete.map(\.id) == ["2"])
    }

    @Test func orphansGoUnlessAnotherDomainClaimsTheName() {
        let owned = [record("1", "CNAME", "old.example.com", "lb.example.net"), record("2", "CNAME", "moved.example.com", "lb.example.net")]
        let plan = DNSPlanner.plan(desired: [], owned: owned, claimed: ["moved.example.com"])
        #expect(plan.delete.map(\.id) == ["1"])
        #expect(plan.keep.map(\.id) == ["2"])
    }

    @Test func missingRecordsAreCreatedAdoptedOrReportedAsConflicts() throws {
        let address = try #require(DesiredRecord.records(for: domain("www.example.com"), app: "web", target: target, proxied: true).first)
        #expect(DNSPlanner.resolve(address, sameName: []) == .create)
        // Records of other kinds at the name (MX, TXT) do not clash with the address record.
        #expect(DNSPlanner.resolve(address, sameName: [record("9", "TXT", "www.example.com", "v=spf1 -all", comment: nil)]) == .create)
        let foreign = record("1", "A", "www.example.com", "192.0.2.1", comment: nil)
        #expect(DNSPlanner.resolve(address, sameName: [foreign]) == .conflict([foreign]))
        let terraform = record("1", "A", "www.example.com", "192.0.2.1", comment: "managed by terraform")
        #expect(DNSPlanner.resolve(address, sameName: [terraform]) == .conflict([terraform]))
        let otherApp = record("2", "CNAME", "www.example.com", "lb.example.net", comment: "pvdify:app=old")
        #expect(DNSPlanner.resolve(address, sameName: [otherApp]) == .adopt(otherApp))

        let proof = try #require(DesiredRecord.records(for: domain("www.example.com", token: "tok"), app: "web", target: nil, proxied: true).first)
        let byHand = record("3", "TXT", "_pvdify-verify.www.example.com", "\"tok\"", comment: nil)
        #expect(DNSPlanner.resolve(proof, sameName: [byHand]) == .satisfied(byHand))
        let unrelated = record("4", "TXT", "_pvdify-verify.www.example.com", "something else", comment: nil)
        #expect(DNSPlanner.resolve(proof, sameName: [unrelated]) == .create)
        let stale = record("5", "TXT", "_pvdify-verify.www.example.com", "old-token", comment: "pvdify:app=old")
        #expect(DNSPlanner.resolve(proof, sameName: [unrelated, stale]) == .adopt(stale))
    }
}
