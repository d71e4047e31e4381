import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

/// App limits decided by the store, admin tokens without app limits, expiry, deploy counting and
/// the audit log, at the API.
@Suite struct TokenLimitsAPITests {
    @Test func aLookalikePreviewIsNotReached() async throws {
        let harness = try await APIHarness.make()
        let limited = try await harness.token("limited", [.write], apps: ["myapp"])
        try await harness.run { api in
            try await api.createApp("myapp")
            try await api.createApp("myapp-pr-5")
            #expect(try await api.get("/api/v1/apps/myapp-pr-5", auth: .bearer(limited)).status == .forbidden)
            let list = try await api.get("/api/v1/apps", auth: .bearer(limited))
            #expect(list.json["apps"]?.arrayValue?.map { $0["name"] } == ["myapp"])
            let create = try await api.send(.post, "/api/v1/apps", json: #"{"name":"myapp-pr-6"}"#, auth: .bearer(limited))
            #expect(create.status == .forbidden)
        }
    }

    @Test func adminTokensAreNeverAppLimited() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let reply = try await api.post("/api/v1/tokens", #"{"name":"x","scopes":["admin","read"],"apps":["myapp"]}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorField == "apps")
            #expect(try await api.post("/api/v1/tokens", #"{"name":"x","scopes":["write"],"apps":["myapp"]}"#).status == .created)
        }
    }

    @Test func tokensShowWhenTheyExpire() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.post("/api/v1/tokens", #"{"name":"day","scopes":["read"],"expires_in":"1d"}"#)
            #expect(created.status == .created)
            let expiresAt = try #require(created.json["expires_at"]?.stringValue.flatMap(Timestamps.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 86_400) < 60)
            let fixed = try await api.post("/api/v1/tokens", #"{"name":"fixed","scopes":["read"],"expires_at":"2030-01-05T10:30:00Z"}"#)
            #expect(fixed.json["expires_at"] == "2030-01-05T10:30:00Z")
            let whoami = try await api.get("/api/v1/whoami")
            #expect(whoami.json["expires_at"] == .null)
            #expect(try await api.post("/api/v1/tokens", #"{"name":"y","scopes":["read"],"expires_in":"0s"}"#).errorField == "expires_in")
        }
    }

    @Test func configChangesThatMakeReleasesCountAsDeploys() async throws {
        let harness = try await APIHarness.make(APISettings(requestsPerMinute: 1_000, deploysPerMinute: 2))
        try await harness.run { api in
            try await api.createApp("myapp")
            try await api.createApp("draft")
            // No release, no deploy: an app without an image takes config changes freely.
            for index in 1...5 {
                #expect(try await api.patch("/api/v1/apps/draft/config", #"{"vars":{"A":"\#(index)"}}"#).status == .ok)
            }
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/a:1"}"#).status == .created)
            let change = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"A":"1"}}"#)
            #expect(change.status == .ok)
            #expect(change.headers[.rateLimitLimit] == "2")
            let limited = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"A":"2"}}"#)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            // Changes that never make a release are no deploys.
            #expect(try await api.patch("/api/v1/apps/draft", #"{"environment":"staging"}"#).status == .ok)
        }
        let other = try await APIHarness.make(APISettings(requestsPerMinute: 1_000, deploysPerMinute: 1))
        try await other.run { api in
            try await api.createApp("myapp")
            // A refused deploy (422) gives its slot back.
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"not an image"}"#).status == .unprocessableContent)
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/a:1"}"#).status == .created)
        }
    }

    @Test func theAuditLogRecordsRoutesNotPaths() async throws {
        let harness = try await APIHarness.make()
        let reader = try await harness.token("reader", [.read])
        try await harness.run { api in
            try await api.createApp("myapp")
            #expect(try await api.send(.post, "/api/v1/apps/myapp/config/secrets", json: #"{"name":"K","value":"hidden-value"}"#).status == .created)
            #expect(try await api.get("/api/v1/tokens", auth: .bearer(reader)).status == .forbidden)
            #expect(try await api.get("/api/v1/apps").status == .ok)
            let audit = try await api.get("/api/v1/audit")
            #expect(audit.status == .ok)
            #expect(!audit.text.contains("hidden-value"))
            let entries = audit.json["entries"]?.arrayValue ?? []
            #expect(entries.map { $0["route"] } == ["/api/v1/tokens", "/api/v1/apps/{name}/config/secrets", "/api/v1/apps"])
            #expect(entries.map { $0["app"] } == [.null, "myapp", "myapp"])
            #expect(entries.first?["token_name"] == "reader")
            #expect(entries.first?["status"] == 403)
            #expect(try await api.get("/api/v1/audit?since=yesterday").errorField == "since")
            #expect(try await api.get("/api/v1/audit?limit=0").errorField == "limit")
            #expect(try await api.get("/api/v1/audit?app=1abc").errorField == "app")
            #expect(try await api.get("/api/v1/audit?app=abc-").errorField == "app")
            // A filter given empty is refused, not read as "no filter".
            #expect(try await api.get("/api/v1/audit?app=").errorField == "app")
            #expect(try await api.get("/api/v1/audit?token=").errorField == "token")
            #expect(try await api.get("/api/v1/audit?until=").errorField == "until")
            #expect(try await api.get("/api/v1/audit?limit=").errorField == "limit")
            #expect(try await api.get("/api/v1/audit?app=myapp&limit=1").json["entries"]?.arrayValue?.count == 1)
        }
    }
}
