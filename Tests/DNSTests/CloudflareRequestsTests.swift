import Foundation
import Testing

@testable import PvdifyDrivers

/// The Cloudflare calls pvdify makes, as built values: method, path, query, body.
@Suite struct CloudflareRequestsTests {
    @Test func verifyToken() {
        let request = CloudflareRequests.verifyToken()
        #expect(request.method == .get)
        #expect(request.target == "/user/tokens/verify")
        #expect(request.body == nil)
        #expect(!request.isMutating)
    }

    @Test func listZonesPages() {
        let request = CloudflareRequests.listZones(page: 2, perPage: 50)
        #expect(request.method == .get)
        #expect(request.target == "/zones?page=2&per_page=50")
        #expect(CloudflareRequests.listZones(page: 1, perPage: 5, name: "example.com").target == "/zones?name=example.com&page=1&per_page=5")
    }

    @Test func listRecordsByCommentPrefixAndByName() {
        let marked = CloudflareRequests.listRecords(
            zoneID: "023e105f4ecef8ad9ca31a8372d0c353", filter: DNSRecordFilter(commentPrefix: "pvdify:app="), page: 1, perPage: 100)
        #expect(marked.method == .get)
        #expect(marked.path == "/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records")
        #expect(marked.query == [.init("comment.startswith", "pvdify:app="), .init("page", "1"), .init("per_page", "100")])
        #expect(marked.target == "/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records?comment.startswith=pvdify%3Aapp%3D&page=1&per_page=100")

        let named = CloudflareRequests.listRecords(
            zoneID: "z1", filter: DNSRecordFilter(name: "_pvdify-verify.shop.example.com", type: "TXT"), page: 3, perPage: 5)
        #expect(named.target == "/zones/z1/dns_records?name=_pvdify-verify.shop.example.com&type=TXT&page=3&per_page=5")
    }

    @Test func createOverwriteDeleteAndGet() throws {
        let fields = DNSRecordFields(type: "CNAME", name: "www.example.com", content: "lb.example.net", ttl: 1, proxied: true, comment: "pvdify:app=web")
        let create = CloudflareRequests.createRecord(zoneID: "z1", fields)
        #expect(create.method == .post)
        #expect(create.target == "/zones/z1/dns_records")
        #expect(create.isMutating)
        #expect(
            String(decoding: try #require(create.body), as: UTF8.self)
                == #"{"comment":"pvdify:app=web","content":"lb.example.net","name":"www.example.com","proxied":true,"ttl":1,"type":"CNAME"}"#)

        let overwrite = CloudflareRequests.overwriteRecord(zoneID: "z1", id: "r1", fields)
        #expect(overwrite.method == .put)
        #expect(overwrite.target == "/zones/z1/dns_records/r1")
        #expect(overwrite.body == create.body)

        let delete = CloudflareRequests.deleteRecord(zoneID: "z1", id: "r1")
        #expect(delete.method == .delete)
        #expect(delete.target == "/zones/z1/dns_records/r1")
        #expect(delete.body == nil)

        #expect(CloudflareRequests.getRecord(zoneID: "z1", id: "r/1").target == "/zones/z1/dns_records/r%2F1")
    }

    @Test func txtBodiesCarryNoProxiedFieldAndANullCommentClearsOne() throws {
        let txt = DNSRecordFields(type: "TXT", name: "_pvdify-verify.example.com", content: "\"tok\"", ttl: 1, proxied: false, comment: nil)
        #expect(
            String(decoding: txt.jsonBody(), as: UTF8.self)
                == #"{"comment":null,"content":"\"tok\"","name":"_pvdify-verify.example.com","ttl":1,"type":"TXT"}"#)
    }
}
