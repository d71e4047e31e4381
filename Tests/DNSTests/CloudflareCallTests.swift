import Foundation
import Logging
import Testing

@testable import PvdifyDrivers

/// Cloudflare's request values become calls for the one executor; short waits stay in the transport.
@Suite struct CloudflareCallTests {
    func header(_ call: HTTPCall, _ name: String) -> String? {
        call.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func cloudflareCallsCarryTheTokenAndTheQuery() {
        let transport = CloudflareTransport(baseURL: URL(string: "https://api.example.test/client/v4/")!, token: "t0ken", logger: Logger(label: "test"))
        let call = transport.call(for: CloudflareRequest(method: .get, path: "/zones", query: [.init("name", "a b")]))
        #expect(call.url == "https://api.example.test/client/v4/zones?name=a%20b")
        #expect(header(call, "Authorization") == "Bearer t0ken")
        #expect(header(call, "Content-Type") == nil)
        let write = transport.call(for: CloudflareRequest(method: .post, path: "/zones/z/dns_records", body: Data("{}".utf8)))
        #expect(header(write, "Content-Type") == "application/json")
    }

    @Test func theRetryPolicyWaitsBrieflyAndLeavesLongWaitsToTheRunner() {
        let policy = CloudflareRetryPolicy()
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "3", method: .get) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, status: 429, retryAfter: "6", method: .get) == nil)
        #expect(policy.backoff(4) == .seconds(4))
        #expect(policy.backoff(5) == .seconds(5))
        #expect(Backoff(base: .milliseconds(500), cap: .seconds(5)).delay(attempt: 4) == .seconds(4))
    }
}
