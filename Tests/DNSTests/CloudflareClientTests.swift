import Foundation
import PvdifyDrivers
import Testing

/// The real client against the Cloudflare stand-in: paging, rate limits, server errors, slow
/// answers, and Cloudflare's error codes.
@Suite struct CloudflareClientTests {
    /// Runs `body` with a fresh stand-in holding zone `example.com`.
    func withFake(_ body: (FakeCloudflareServer, String) async throws -> Void) async throws {
        let fake = try await FakeCloudflareServer.start()
        defer { fake.stop() }
        let zone = try await fake.addZone("example.com")
        try await body(fake, zone)
    }

    @Test func verifiesTheTokenAndPagesThroughZonesAndRecords() async throws {
        try await withFake { fake, zone in
            let client = fake.client(pageSize: 5)
            #expect(try await client.verifyToken().isActive)
            for index in 1...6 { try await fake.addZone("zone\(index).test") }
            #expect(try await client.zones().count == 7)
            for index in 1...12 {
                try await client.createRecord(
                    zoneID: zone, DNSRecordFields(type: "TXT", name: "r\(index).example.com", content: "x", comment: "pvdify:app=paged"))
            }
            try await client.createRecord(zoneID: zone, DNSRecordFields(type: "TXT", name: "other.example.com", content: "x", comment: "mine"))
            let before = try await fake.stats().requests
            let marked = try await client.records(zoneID: zone, DNSRecordFilter(commentPrefix: "pvdify:app="))
            #expect(marked.count == 12)
            #expect(Set(marked.map(\.name)).count == 12)
            #expect(try await fake.stats().requests - before == 3)  // 5 + 5 + 2
            #expect(try await client.records(zoneID: zone, DNSRecordFilter(name: "r7.example.com", type: "TXT")).map(\.name) == ["r7.example.com"])
        }
    }

    @Test func ridesOutRateLimitsHonouringRetryAfter() async throws {
        try await withFake { fake, zone in
            let client = fake.client()
            try await fake.fault(status: 429, retryAfter: 1, count: 2)
            let started = ContinuousClock.now
            let record = try await client.createRecord(zoneID: zone, DNSRecordFields(type: "A", name: "a.example.com", content: "192.0.2.1"))
            #expect(ContinuousClock.now - started >= .seconds(2))
            #expect(record.content == "192.0.2.1")
            let stats = try await fake.stats()
            #expect(stats.rateLimited == 2)
            #expect(stats.mutations == 1)
        }
    }

    @Test func aRetryAfterLongerThanThePolicyWaitsIsLeftToTheCaller() async throws {
        try await withFake { fake, zone in
            try await fake.fault(status: 429, retryAfter: 120, count: 1)
            let error = try await #require(throws: CloudflareError.self) { try await fake.client().records(zoneID: zone, DNSRecordFilter()) }
            #expect(error.isRateLimited)
            #expect(error.retryAfter == .seconds(120))
            #expect(error.attempts == 1)
        }
    }

    @Test func ridesOutServerErrorsWithinItsBound() async throws {
        try await withFake { fake, zone in
            let client = fake.client(retry: CloudflareRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20)))
            try await fake.fault(status: 500, count: 2)
            try await client.createRecord(zoneID: zone, DNSRecordFields(type: "A", name: "b.example.com", content: "192.0.2.2"))
            #expect(try await fake.records(named: "b.example.com").count == 1)

            try await fake.fault(status: 503, count: 5)
            let error = try await #require(throws: CloudflareError.self) { try await client.zones() }
            #expect(error.status == 503)
            #expect(error.attempts == 3)
            #expect(error.isUnavailable)
            #expect(error.description == "Cloudflare GET /zones: HTTP 503: An unknown error has occurred (10002) (after 3 attempts)")
        }
    }

    @Test func aSlowAnswerIsRetriedAfterItsTimeout() async throws {
        try await withFake { fake, zone in
            let client = fake.client(timeout: .milliseconds(400))
            try await fake.fault(delayMilliseconds: 1500, count: 1, method: "GET")
            #expect(try await client.records(zoneID: zone, DNSRecordFilter()).isEmpty)
            #expect(try await fake.stats().delayed == 1)
        }
    }

    @Test func cloudflareErrorCodes() async throws {
        try await withFake { fake, zone in
            let client = fake.client()
            let cname = DNSRecordFields(type: "CNAME", name: "www.example.com", content: "lb.example.net", proxied: true)
            let created = try await client.createRecord(zoneID: zone, cname)
            let duplicate = try await #require(throws: CloudflareError.self) { try await client.createRecord(zoneID: zone, cname) }
            #expect(duplicate.codes == [81057])
            #expect(duplicate.isDuplicate)
            let clash = try await #require(throws: CloudflareError.self) {
                try await client.createRecord(zoneID: zone, DNSRecordFields(type: "A", name: "www.example.com", content: "192.0.2.3"))
            }
            #expect(clash.codes == [81053])
            try await client.deleteRecord(zoneID: zone, id: created.id)
            let gone = try await #require(throws: CloudflareError.self) { try await client.record(zoneID: zone, id: created.id) }
            #expect(gone.codes == [81044])
            #expect(gone.isNotFound)
            let badZone = try await #require(throws: CloudflareError.self) { try await client.records(zoneID: "nope", DNSRecordFilter()) }
            #expect(badZone.codes == [7003])
        }
    }

    @Test func invalidTokensAreAuthenticationErrors() async throws {
        try await withFake { fake, _ in
            let unknown = try await #require(throws: CloudflareError.self) { try await fake.client(token: "not-a-known-token").verifyToken() }
            #expect(unknown.isAuthentication)
            #expect(unknown.codes == [9109])
            #expect(unknown.status == 401)
            let malformed = try await #require(throws: CloudflareError.self) { try await fake.client(token: "has spaces!").verifyToken() }
            #expect(malformed.codes == [6003, 6111])
            #expect(malformed.isAuthentication)
            let refused = try await #require(throws: CloudflareError.self) { try await fake.client(token: "not-a-known-token").zones() }
            #expect(refused.codes == [10000])
            #expect(refused.status == 403)
            #expect(refused.description == "Cloudflare GET /zones: HTTP 403: Authentication error (10000)")
        }
    }
}
