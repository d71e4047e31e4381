import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct RateLimitTests {
    @Test func hundredRequestsAMinutePerToken() async throws {
        let harness = try await APIHarness.make(APISettings())
        let other = try await harness.token("other", [.read])
        try await harness.run { api in
            for index in 1...100 {
                let reply = try await api.get("/api/v1/apps")
                #expect(reply.status == .ok)
                #expect(reply.headers[.rateLimitLimit] == "100")
                #expect(reply.headers[.rateLimitRemaining] == String(100 - index))
            }
            let limited = try await api.get("/api/v1/apps")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect((1...60).contains(retry))
            let reset = try #require(limited.headers[.rateLimitReset].flatMap(Int.init))
            let now = Int(Date().timeIntervalSince1970)
            #expect(reset > now - 1 && reset <= now + 61)
            #expect(limited.headers[.rateLimitRemaining] == "0")
            // Another token has its own budget.
            #expect(try await api.get("/api/v1/apps", auth: .bearer(other)).status == .ok)
        }
    }

    @Test func tenDeploysAMinute() async throws {
        let harness = try await APIHarness.make(APISettings())
        try await harness.run { api in
            try await api.createApp("myapp")
            for index in 1...10 {
                let reply = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:v\#(index)"}"#)
                #expect(reply.status == .created)
                #expect(reply.headers[.rateLimitLimit] == "10")
                #expect(reply.headers[.rateLimitRemaining] == String(10 - index))
            }
            let limited = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:v11"}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await api.post("/api/v1/apps/myapp/rollback").status == .tooManyRequests)
            // Other endpoints still answer.
            #expect(try await api.get("/api/v1/apps/myapp/releases").status == .ok)
        }
    }

    @Test func windowsReset() {
        let limiter = RateLimiter(requestsPerMinute: 2, deploysPerMinute: 1, concurrentStreams: 1)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(limiter.admit("k", deploy: false, now: start).allowed)
        #expect(limiter.admit("k", deploy: false, now: start).allowed)
        #expect(!limiter.admit("k", deploy: false, now: start.addingTimeInterval(59)).allowed)
        let later = limiter.admit("k", deploy: false, now: start.addingTimeInterval(60))
        #expect(later.allowed)
        #expect(later.reset == 1_000_120)
        #expect(limiter.openStream("k"))
        #expect(!limiter.openStream("k"))
        limiter.closeStream("k")
        #expect(limiter.openStream("k"))
    }

    @Test func unauthenticatedRequestsCountPerAddress() async throws {
        let harness = try await APIHarness.make(APISettings(requestsPerMinute: 3))
        try await harness.run { api in
            for _ in 1...3 {
                let reply = try await api.get("/api/v1/apps", auth: .none)
                #expect(reply.status == .unauthorized)
            }
            let limited = try await api.get("/api/v1/apps", auth: .none)
            #expect(limited.status == .tooManyRequests)
            let health = try await api.get("/health", auth: .none)
            #expect(health.status == .tooManyRequests)
            let withToken = try await api.get("/api/v1/apps")
            #expect(withToken.status == .ok)
        }
    }
}
