import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct ReleasesAPITests {
    @Test func deployListShowAndLog() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            #expect(try await api.get("/api/v1/apps/myapp/releases").json["releases"] == [])

            let first = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"127.0.0.1:5000/org/app:v1"}"#)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["version"] == 1)
            #expect(first.json["image"] == "127.0.0.1:5000/org/app:v1")
            #expect(first.json["status"] == "deploying")
            #expect(first.json["created_at"]?.stringValue != nil)
            #expect(first.headers[.location] == "/api/v1/apps/myapp/releases/1")

            let second = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"ghcr.io/org/app:v2"}"#)
            #expect(second.json["version"] == 2)

            let list = try await api.get("/api/v1/apps/myapp/releases")
            #expect(list.json["releases"]?[0]?["version"] == 2)
            #expect(list.json["releases"]?[1]?["version"] == 1)
            #expect(list.json["releases"]?[0]?["created_by"] == "admin")

            let shown = try await api.get("/api/v1/apps/myapp/releases/2")
            #expect(shown.json["config_version"]?.isNull == true)
            #expect(shown.json["deploy_log"]?.stringValue?.hasSuffix("/api/v1/apps/myapp/releases/2/log") == true)
            #expect(try await api.get("/api/v1/apps/myapp/releases/v2").json["version"] == 2)

            let app = try await api.get("/api/v1/apps/myapp")
            #expect(app.json["image"] == "ghcr.io/org/app:v2")

            let log = try await api.get("/api/v1/apps/myapp/releases/2/log")
            #expect(log.status == .ok)
            #expect(log.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(log.text.contains("Release v2 created by admin: image ghcr.io/org/app:v2"))

            #expect(try await api.get("/api/v1/apps/myapp/releases/9").errorCode == "not_found")
            #expect(try await api.get("/api/v1/apps/myapp/releases/nine").errorCode == "not_found")
            #expect(try await api.get("/api/v1/apps/myapp/releases/9/log").errorCode == "not_found")
            #expect(try await api.get("/api/v1/apps/none/releases").errorCode == "not_found")
        }
    }

    @Test func rejectsBadImages() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            for image in ["", "https://x.io/a:b", "UPPER/case", "a b", "app:", "app@sha256:123", "x;rm -rf /"] {
                let reply = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"\#(image)"}"#)
                #expect(reply.status == .unprocessableContent, "\(image)")
                #expect(reply.errorField == "image")
            }
            #expect(try await api.post("/api/v1/apps/myapp/releases", "{}").errorField == "image")
            #expect(try await api.post("/api/v1/apps/myapp/releases", nil).errorCode == "invalid_request")
            let digest = "registry.local:5000/a/b@sha256:" + String(repeating: "ab", count: 32)
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"\#(digest)"}"#).status == .created)
        }
    }

    @Test func rollbackRestoresImageAndConfig() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            let none = try await api.post("/api/v1/apps/myapp/rollback")
            #expect(none.status == .unprocessableContent)

            #expect(try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"GREETING":"one"}}"#).status == .ok)  // config v1
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:v1"}"#).json["version"] == 1)
            let onlyOne = try await api.post("/api/v1/apps/myapp/rollback")
            #expect(onlyOne.status == .unprocessableContent, "\(onlyOne.text)")

            // A config change with an image is a release (v2, config v2).
            let changed = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"GREETING":"two"}}"#)
            #expect(changed.json["version"] == "v2")
            #expect(changed.json["release"] == 2)
            #expect(try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:v2"}"#).json["version"] == 3)

            let rolled = try await api.post("/api/v1/apps/myapp/rollback")
            #expect(rolled.status == .ok, "\(rolled.text)")
            #expect(rolled.json["version"] == 4)
            #expect(rolled.json["image"] == "reg.io/app:v1")
            #expect(rolled.json["status"] == "deploying")
            #expect(rolled.json["rollback_from"] == 3)
            #expect(rolled.json["rollback_to"] == 2)
            #expect(rolled.json["config_version"] == "v2")

            let explicit = try await api.post("/api/v1/apps/myapp/rollback", #"{"version":1}"#)
            #expect(explicit.json["rollback_to"] == 1)
            #expect(explicit.json["config_version"] == "v1")
            let config = try await api.get("/api/v1/apps/myapp/config")
            #expect(config.json["version"] == "v1")
            #expect(config.json["vars"]?["GREETING"] == "one")
            #expect(try await api.get("/api/v1/apps/myapp").json["image"] == "reg.io/app:v1")

            // The next change builds on the restored config, with the next version number.
            let next = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"OTHER":"x"}}"#)
            #expect(next.json["version"] == "v3")
            let latest = try await api.get("/api/v1/apps/myapp/config/versions/v3")
            #expect(latest.json["vars"]?["GREETING"] == "one")

            let missing = try await api.post("/api/v1/apps/myapp/rollback", #"{"version":99}"#)
            #expect(missing.status == .notFound)
            #expect(try await api.post("/api/v1/apps/myapp/rollback", #"{"version":"two"}"#).errorField == "version")
            #expect(try await api.post("/api/v1/apps/myapp/rollback", #"{"version":0}"#).errorField == "version")
        }
    }

    @Test func rollbackSkipsFailedReleasesAndStartsFromTheActiveOne() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            for tag in ["v1", "v2", "v3", "v4"] {
                _ = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:\#(tag)"}"#)
            }
            // As the container reconciler would report: v4 failed, v3 is active, v2 had failed.
            try await harness.store.setReleaseStatus("myapp", version: 4, .failed)
            try await harness.store.setReleaseStatus("myapp", version: 3, .active)
            try await harness.store.setReleaseStatus("myapp", version: 2, .failed)
            let rolled = try await api.post("/api/v1/apps/myapp/rollback")
            #expect(rolled.json["rollback_from"] == 3)
            #expect(rolled.json["rollback_to"] == 1)
            #expect(rolled.json["image"] == "reg.io/app:v1")
            #expect(try await api.post("/api/v1/apps/myapp/rollback", #"{"version":5}"#).status == .unprocessableContent)
        }
    }
}
