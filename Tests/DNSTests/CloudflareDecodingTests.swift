import Foundation
import Testing

@testable import PvdifyDrivers

/// Cloudflare's envelope, records, paging facts and errors, decoded; errors turned into clear messages.
@Suite struct CloudflareDecodingTests {
    @Test func aListEnvelopeWithPaging() throws {
        let body = Data(
            #"""
            {"success":true,"errors":[],"messages":[],"result":[{"id":"r1","zone_id":"z1","zone_name":"example.com","name":"WWW.example.com",
            "type":"CNAME","content":"lb.example.net","proxiable":true,"proxied":true,"ttl":1,"comment":"pvdify:app=web","tags":[],
            "created_on":"2026-01-01T10:00:00.000Z","modified_on":"2026-01-01T10:00:00.000Z"}],
            "result_info":{"page":1,"per_page":100,"count":1,"total_count":1,"total_pages":1}}
            """#.utf8)
        let envelope = try JSONDecoder().decode(CloudflareEnvelope<[DNSRecord]>.self, from: body)
        #expect(envelope.success)
        let record = try #require(envelope.result?.first)
        #expect(record.id == "r1")
        #expect(record.zoneID == "z1")
        #expect(record.name == "www.example.com")
        #expect(record.fields == DNSRecordFields(type: "CNAME", name: "www.example.com", content: "lb.example.net", ttl: 1, proxied: true, comment: "pvdify:app=web"))
        #expect(envelope.resultInfo == CloudflareResultInfo(page: 1, perPage: 100, count: 1, totalCount: 1, totalPages: 1))
        #expect(envelope.resultInfo?.hasMore == false)
    }

    @Test func pagingFacts() {
        #expect(CloudflareResultInfo(page: 1, perPage: 5, count: 5, totalCount: 12, totalPages: 3).hasMore)
        #expect(!CloudflareResultInfo(page: 3, perPage: 5, count: 2, totalCount: 12, totalPages: 3).hasMore)
        #expect(CloudflareResultInfo(page: 1, perPage: 5, count: 5, totalCount: 12, totalPages: nil).hasMore)
        #expect(CloudflareResultInfo(page: 1, perPage: 5, count: 5, totalCount: nil, totalPages: nil).hasMore)
        #expect(!CloudflareResultInfo(page: 1, perPage: 5, count: 3, totalCount: nil, totalPages: nil).hasMore)
    }

    @Test func errorsBecomeClearMessagesAndFlags() {
        let malformed = CloudflareTransport.error(
            status: 400,
            body: Data(
                #"{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],"messages":[],"result":null}"#
                    .utf8), call: "GET /zones", attempts: 1, retryAfter: nil)
        #expect(malformed.isAuthentication)
        #expect(malformed.codes == [6003, 6111])
        #expect(malformed.description == "Cloudflare GET /zones: HTTP 400: Invalid request headers (6003): Invalid format for Authorization header (6111)")

        let duplicate = CloudflareTransport.error(
            status: 400, body: Data(#"{"success":false,"errors":[{"code":81057,"message":"Record already exists."}],"result":null}"#.utf8),
            call: "POST /zones/z1/dns_records", attempts: 1, retryAfter: nil)
        #expect(duplicate.isDuplicate)
        #expect(!duplicate.isAuthentication)
        #expect(duplicate.summary == "Record already exists. (81057)")

        let missing = CloudflareTransport.error(
            status: 404, body: Data(#"{"success":false,"errors":[{"code":81044,"message":"Record does not exist."}],"result":null}"#.utf8),
            call: "GET /zones/z1/dns_records/r1", attempts: 1, retryAfter: nil)
        #expect(missing.isNotFound)

        let limited = CloudflareTransport.error(status: 429, body: Data("Too many".utf8), call: "GET /zones", attempts: 5, retryAfter: "120")
        #expect(limited.isRateLimited)
        #expect(limited.retryAfter == .seconds(120))
        #expect(limited.description == "Cloudflare GET /zones: HTTP 429: Too many (after 5 attempts)")

        let unreachable = CloudflareError(status: 0, errors: [CloudflareMessage(code: 0, message: "no answer")], call: "GET /zones", attempts: 5)
        #expect(unreachable.isUnavailable)
        #expect(CloudflareTransport.error(status: 502, body: Data(), call: "GET /zones", attempts: 1, retryAfter: nil).summary == "HTTP 502")
    }
}
