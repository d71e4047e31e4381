import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct PreviewsAPITests {
    @Test func createListDeletePreview() async throws {
        let harness = try await APIHarness.make(APISettings(baseDomain: "pvdify.win", requestsPerMinute: 10_000, deploysPerMinute: 10_000))
        try await harness.run { api in
            try await api.createApp("myapp")
            _ = try await api.patch("/api/v1/apps/myapp", #"{"processes":{"web":{"command":"serve","count":2}},"resources":{"memory":"256M"}}"#)
            _ = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"NODE_ENV":"production"}}"#)
            _ = try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"API_KEY","value":"s3cret"}"#)

            let created = try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":123,"image":"reg.io/app:pr-123"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["name"] == "myapp-pr-123")
            #expect(created.json["url"] == "https://myapp-pr-123.pvdify.win")
            #expect(created.json["status"] == "deploying")
            #expect(created.json["pr_number"] == 123)

            let preview = try await api.get("/api/v1/apps/myapp-pr-123")
            #expect(preview.json["preview_of"] == "myapp")
            #expect(preview.json["environment"] == "staging")
            #expect(preview.json["image"] == "reg.io/app:pr-123")
            #expect(preview.json["processes"]?["web"]?["command"] == "serve")
            #expect(preview.json["processes"]?["web"]?["count"] == 2)
            #expect(preview.json["resources"]?["memory"] == "256M")
            let config = try await api.get("/api/v1/apps/myapp-pr-123/config")
            #expect(config.json["vars"]?["NODE_ENV"] == "production")
            #expect(config.json["secrets"] == ["API_KEY"])
            let env = try await harness.store.resolvedConfig("myapp-pr-123", version: 1)
            #expect(env["API_KEY"] == "s3cret")
            let releases = try await api.get("/api/v1/apps/myapp-pr-123/releases")
            #expect(releases.json["releases"]?[0]?["image"] == "reg.io/app:pr-123")

            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":123,"image":"reg.io/app:pr-123"}"#).status == .conflict)
            #expect(try await api.post("/api/v1/apps/myapp-pr-123/previews", #"{"pr_number":1,"image":"reg.io/a:b"}"#).status == .unprocessableContent)
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":0,"image":"reg.io/a:b"}"#).errorField == "pr_number")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":"7","image":"reg.io/a:b"}"#).errorField == "pr_number")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":7}"#).errorField == "image")
            #expect(try await api.post("/api/v1/apps/nope/previews", #"{"pr_number":7,"image":"reg.io/a:b"}"#).status == .notFound)

            let list = try await api.get("/api/v1/apps/myapp/previews")
            #expect(list.json["previews"]?[0]?["name"] == "myapp-pr-123")
            #expect(list.json["previews"]?[0]?["pr_number"] == 123)

            #expect(try await api.delete("/api/v1/apps/myapp/previews/123").status == .noContent)
            #expect(try await api.get("/api/v1/apps/myapp-pr-123").status == .notFound)
            #expect(try await api.delete("/api/v1/apps/myapp/previews/123").status == .notFound)
            #expect(try await api.delete("/api/v1/apps/myapp/previews/abc").status == .notFound)

            // Deleting the parent deletes its previews.
            _ = try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":5,"image":"reg.io/app:pr-5"}"#)
            #expect(try await api.delete("/api/v1/apps/myapp").status == .noContent)
            #expect(try await api.get("/api/v1/apps/myapp-pr-5").status == .notFound)
        }
    }

    @Test func previewURLIsHTTPWhenTLSIsOff() async throws {
        let harness = try await APIHarness.make(APISettings(baseDomain: "apps.test", appURLScheme: "http", requestsPerMinute: 10_000, deploysPerMinute: 10_000))
        try await harness.run { api in
            try await api.createApp("site")
            let created = try await api.post("/api/v1/apps/site/previews", #"{"pr_number":9,"image":"reg.io/app:pr-9"}"#)
            #expect(created.json["url"] == "http://site-pr-9.apps.test")
        }
    }
}
