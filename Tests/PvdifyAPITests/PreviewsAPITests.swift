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
            // One instance per process type unless the parent's previews.scale says otherwise.
            #expect(preview.json["processes"]?["web"]?["count"] == 1)
            #expect(preview.json["resources"]?["memory"] == "256M")
            let config = try await api.get("/api/v1/apps/myapp-pr-123/config")
            #expect(config.json["vars"]?["NODE_ENV"] == "production")
            // No secret unless the parent's previews.secrets allows it.
            #expect(config.json["secrets"] == [])
            let env = try await harness.store.resolvedConfig("myapp-pr-123", version: 1)
            #expect(env["API_KEY"] == nil)
            let releases = try await api.get("/api/v1/apps/myapp-pr-123/releases")
            #expect(releases.json["releases"]?[0]?["image"] == "reg.io/app:pr-123")

            // The same PR again updates it (200); the same image and SHA make no new release.
            let again = try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":123,"image":"reg.io/app:pr-123"}"#)
            #expect(again.status == .ok, "\(again.text)")
            #expect(try await api.get("/api/v1/apps/myapp-pr-123/releases").json["releases"]?[1] == nil)
            #expect(try await api.post("/api/v1/apps/myapp-pr-123/previews", #"{"pr_number":1,"image":"reg.io/a:b"}"#).status == .unprocessableContent)
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":0,"image":"reg.io/a:b"}"#).errorField == "pr_number")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":"7","image":"reg.io/a:b"}"#).errorField == "pr_number")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":7}"#).errorField == "image")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":7,"image":"reg.io/a:b","head_sha":"XYZ"}"#).errorField == "head_sha")
            #expect(try await api.post("/api/v1/apps/myapp/previews", #"{"pr_number":7,"image":"reg.io/a:b","branch":"a..b"}"#).errorField == "branch")
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

    static func harness() async throws -> APIHarness {
        try await APIHarness.make(APISettings(baseDomain: "pvdify.win", requestsPerMinute: 10_000, deploysPerMinute: 10_000))
    }

    @Test func updateMakesANewReleaseAndShowsTheRecord() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("shop")
            let sha1 = "1111111111111111111111111111111111111111"
            let created = try await api.post(
                "/api/v1/apps/shop/previews", #"{"pr_number":4,"image":"reg.io/shop:a","head_sha":"\#(sha1)","branch":"feature/x"}"#)
            #expect(created.status == .created, "\(created.text)")
            let first = try await api.get("/api/v1/apps/shop/previews")
            let record = first.json["previews"]?[0]
            #expect(record?["head_sha"] == .string(sha1))
            #expect(record?["branch"] == "feature/x")
            #expect(record?["fork"] == false)
            #expect(record?["image"] == "reg.io/shop:a")
            let created_at = try #require(record?["created_at"]?.stringValue)
            let expires = try #require(record?["expires_at"]?.stringValue.flatMap(Timestamps.parse))
            let updated = try #require(record?["updated_at"]?.stringValue.flatMap(Timestamps.parse))
            // Default TTL: 7 days after the last update.
            #expect(expires.timeIntervalSince(updated) == 7 * 86_400)

            // A new SHA with the same image is a new release of the preview.
            let updatedReply = try await api.post(
                "/api/v1/apps/shop/previews", #"{"pr_number":4,"image":"reg.io/shop:a","head_sha":"2222222"}"#)
            #expect(updatedReply.status == .ok, "\(updatedReply.text)")
            let releases = try await api.get("/api/v1/apps/shop-pr-4/releases")
            #expect(releases.json["releases"]?[1] != nil)
            // A new image too, and the app runs it.
            #expect(try await api.post("/api/v1/apps/shop/previews", #"{"pr_number":4,"image":"reg.io/shop:b"}"#).status == .ok)
            #expect(try await api.get("/api/v1/apps/shop-pr-4").json["image"] == "reg.io/shop:b")
            let after = try await api.get("/api/v1/apps/shop/previews").json["previews"]?[0]
            #expect(after?["created_at"]?.stringValue == created_at)
            #expect(after?["head_sha"] == .null)
            #expect(after?["image"] == "reg.io/shop:b")
        }
    }

    @Test func capRefusesOneMoreNamingTheLimit() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("capped")
            #expect(try await api.patch("/api/v1/apps/capped", #"{"previews":{"max":2}}"#).status == .ok)
            for number in 1...2 {
                #expect(try await api.post("/api/v1/apps/capped/previews", #"{"pr_number":\#(number),"image":"reg.io/a:b"}"#).status == .created)
            }
            let refused = try await api.post("/api/v1/apps/capped/previews", #"{"pr_number":3,"image":"reg.io/a:b"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.json["error"]?["code"] == "conflict")
            #expect(refused.text.contains("previews.max 2"), "\(refused.text)")
            // Updating one that exists is not one more.
            #expect(try await api.post("/api/v1/apps/capped/previews", #"{"pr_number":2,"image":"reg.io/a:c"}"#).status == .ok)
            #expect(try await api.patch("/api/v1/apps/capped", #"{"previews":{"max":0}}"#).errorField == "previews.max")
        }
    }

    @Test func onlyAllowListedSecretsAndConfigOverrides() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("web")
            _ = try await api.patch("/api/v1/apps/web/config", #"{"vars":{"DATABASE_URL":"postgres://prod","MODE":"live"}}"#)
            _ = try await api.post("/api/v1/apps/web/config/secrets", #"{"name":"STRIPE_KEY","value":"sk_live"}"#)
            _ = try await api.post("/api/v1/apps/web/config/secrets", #"{"name":"SENTRY_DSN","value":"dsn"}"#)
            let patched = try await api.patch(
                "/api/v1/apps/web",
                #"{"previews":{"secrets":["SENTRY_DSN","MISSING"],"config":{"DATABASE_URL":"postgres://staging"},"scale":{"web":2},"forks":true,"ttl":"3d"}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["previews"]?["ttl"] == "3d")
            #expect(patched.json["previews"]?["secrets"] == ["MISSING", "SENTRY_DSN"])
            #expect(try await api.post("/api/v1/apps/web/previews", #"{"pr_number":8,"image":"reg.io/w:1"}"#).status == .created)
            let config = try await api.get("/api/v1/apps/web-pr-8/config")
            #expect(config.json["secrets"] == ["SENTRY_DSN"])
            #expect(config.json["vars"]?["DATABASE_URL"] == "postgres://staging")
            #expect(config.json["vars"]?["MODE"] == "live")
            #expect(!config.text.contains("dsn\""))
            #expect(try await api.get("/api/v1/apps/web-pr-8").json["processes"]?["web"]?["count"] == 2)
            let expires = try #require(try await api.get("/api/v1/apps/web/previews").json["previews"]?[0]?["expires_at"]?.stringValue.flatMap(Timestamps.parse))
            #expect(abs(expires.timeIntervalSinceNow - 3 * 86_400) < 120)

            // A fork's preview never gets the allow-listed secrets.
            #expect(try await api.post("/api/v1/apps/web/previews", #"{"pr_number":9,"image":"reg.io/w:1","fork":true}"#).status == .created)
            let forkConfig = try await api.get("/api/v1/apps/web-pr-9/config")
            #expect(forkConfig.json["secrets"] == [])
            #expect(forkConfig.json["vars"]?["DATABASE_URL"] == "postgres://staging")
        }
    }

    @Test func forksRefusedUnlessAllowed() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("lib")
            let refused = try await api.post("/api/v1/apps/lib/previews", #"{"pr_number":2,"image":"reg.io/l:1","fork":true}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("previews.forks"))
            #expect(try await api.get("/api/v1/apps/lib-pr-2").status == .notFound)
            #expect(try await api.post("/api/v1/apps/lib/previews", #"{"pr_number":2,"image":"reg.io/l:1","fork":"yes"}"#).errorField == "fork")
        }
    }

    @Test func imageTemplate() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("tpl")
            #expect(try await api.patch("/api/v1/apps/tpl", #"{"previews":{"image":"reg.io/tpl:{nope}"}}"#).errorField == "previews.image")
            #expect(try await api.patch("/api/v1/apps/tpl", #"{"previews":{"image":"Reg Io/{number}"}}"#).errorField == "previews.image")
            #expect(try await api.patch("/api/v1/apps/tpl", #"{"previews":{"image":"reg.io/tpl:sha-{sha}"}}"#).status == .ok)
            // {sha} needs a head SHA.
            #expect(try await api.post("/api/v1/apps/tpl/previews", #"{"pr_number":3}"#).errorField == "head_sha")
            let created = try await api.post("/api/v1/apps/tpl/previews", #"{"pr_number":3,"head_sha":"abcdef1"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["image"] == "reg.io/tpl:sha-abcdef1")
            #expect(try await api.patch("/api/v1/apps/tpl", #"{"previews":{"image":"reg.io/tpl:pr-{number}-{branch}"}}"#).status == .ok)
            let branch = try await api.post("/api/v1/apps/tpl/previews", #"{"pr_number":4,"branch":"feat/login"}"#)
            #expect(branch.json["image"] == "reg.io/tpl:pr-4-feat-login")
            // An explicit image wins over the template.
            #expect(try await api.post("/api/v1/apps/tpl/previews", #"{"pr_number":5,"image":"reg.io/x:y"}"#).json["image"] == "reg.io/x:y")
        }
    }

    @Test func previewAppsAreDerivedAndRefuseSpecWrites() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("base")
            #expect(try await api.post("/api/v1/apps/base/previews", #"{"pr_number":1,"image":"reg.io/b:1"}"#).status == .created)
            for (method, path, body) in [
                ("PATCH", "/api/v1/apps/base-pr-1", #"{"environment":"production"}"#),
                ("PATCH", "/api/v1/apps/base-pr-1/config", #"{"vars":{"A":"1"}}"#),
                ("POST", "/api/v1/apps/base-pr-1/releases", #"{"image":"reg.io/b:2"}"#),
                ("DELETE", "/api/v1/apps/base-pr-1", ""),
            ] {
                let reply = try await api.send(.init(method)!, path, json: body.isEmpty ? nil : body)
                #expect(reply.status == .conflict, "\(method) \(path): \(reply.text)")
                #expect(reply.text.contains("preview of 'base'"), "\(reply.text)")
            }
            #expect(try await api.post("/api/v1/apps/base-pr-1/ps/restart", "{}").status == .ok)
            // The parent's previews section is shown on the parent.
            let parent = try await api.get("/api/v1/apps/base")
            #expect(parent.json["previews"]?["ttl"] == "7d")
            #expect(parent.json["previews"]?["max"] == 10)
            #expect(parent.json["previews"]?["forks"] == false)
        }
    }

    @Test func appLimitedTokensReachPreviewsOfTheirAppsOnly() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("alpha")
            try await api.createApp("beta")
            let alpha = try await harness.token("alpha-deployer", [.deploy], apps: ["alpha"])
            #expect(try await api.post("/api/v1/apps/alpha/previews", #"{"pr_number":3,"image":"reg.io/a:1"}"#, auth: .bearer(alpha)).status == .created)
            #expect(try await api.get("/api/v1/apps/alpha-pr-3", auth: .bearer(alpha)).status == .ok)
            #expect(try await api.get("/api/v1/apps/alpha/previews", auth: .bearer(alpha)).json["previews"]?[0]?["name"] == "alpha-pr-3")
            #expect(try await api.post("/api/v1/apps/beta/previews", #"{"pr_number":3,"image":"reg.io/a:1"}"#, auth: .bearer(alpha)).status == .forbidden)
            #expect(try await api.post("/api/v1/apps/beta/previews", #"{"pr_number":3,"image":"reg.io/a:1"}"#).status == .created)
            #expect(try await api.get("/api/v1/apps/beta-pr-3", auth: .bearer(alpha)).status == .forbidden)
            #expect(try await api.delete("/api/v1/apps/beta/previews/3", auth: .bearer(alpha)).status == .forbidden)
            #expect(try await api.delete("/api/v1/apps/alpha/previews/3", auth: .bearer(alpha)).status == .noContent)
        }
    }

    @Test func manifestsCarryThePreviewsSection() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("docs")
            let yaml = """
                apiVersion: pvdify.win/v1
                kind: App
                metadata:
                  name: docs
                spec:
                  previews:
                    ttl: 90s
                    max: 4
                    image: reg.io/docs:pr-{number}
                """
            let put = try await api.send(.put, "/api/v1/apps/docs/manifest", body: yaml, contentType: "application/yaml")
            #expect(put.status == .ok, "\(put.text)")
            let app = try await api.get("/api/v1/apps/docs")
            #expect(app.json["previews"]?["ttl"] == "90s")
            #expect(app.json["previews"]?["max"] == 4)
            let shown = try await api.send(.get, "/api/v1/apps/docs/manifest", headers: [.accept: "application/json"])
            #expect(shown.json["spec"]?["previews"]?["image"] == "reg.io/docs:pr-{number}", "\(shown.text)")
            // Applying what was shown changes nothing.
            let again = try await api.send(.put, "/api/v1/apps/docs/manifest", json: shown.text)
            #expect(again.status == .ok)
            #expect(try await api.get("/api/v1/apps/docs").json["generation"] == app.json["generation"])
            #expect(try await api.post("/api/v1/apps/docs/previews", #"{"pr_number":12}"#).json["image"] == "reg.io/docs:pr-12")
            // An app whose section has only defaults shows none in its manifest.
            try await api.createApp("plain")
            let plain = try await api.send(.get, "/api/v1/apps/plain/manifest", headers: [.accept: "application/json"])
            #expect(plain.json["spec"]?["previews"] == nil, "\(plain.text)")
        }
    }
}
