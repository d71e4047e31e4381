import Foundation
import PvdifyModel
@testable import PvdifyAPI
import Testing

@Suite struct AppsAPITests {
    @Test func createListShowAndDelete() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.createApp("myapp")
            #expect(created.json["name"] == "myapp")
            #expect(created.json["environment"] == "production")
            #expect(created.json["status"] == "pending")
            #expect(created.json["bind_port"] == 3000)
            #expect(created.json["created_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(created.headers[.location] == "/api/v1/apps/myapp")

            let second = try await api.createApp("other", environment: "staging")
            #expect(second.json["bind_port"] == 3001)
            #expect(second.json["environment"] == "staging")

            let list = try await api.get("/api/v1/apps")
            #expect(list.status == .ok)
            #expect(list.json["apps"]?.arrayValue?.count == 2)
            #expect(list.json["apps"]?[0]?["name"] == "myapp")
            #expect(list.json["apps"]?[0]?["image"]?.isNull == true)
            #expect(list.json["apps"]?[0]?["status"] == "pending")

            let shown = try await api.get("/api/v1/apps/myapp")
            #expect(shown.status == .ok)
            #expect(shown.json["processes"]?["web"]?["count"] == 1)
            #expect(shown.json["processes"]?["web"]?["command"]?.isNull == true)
            #expect(shown.json["bind_port"] == 3000)
            #expect(shown.json["domains"] == [])
            #expect(shown.json["healthcheck"]?["path"] == "/")
            #expect(shown.json["healthcheck"]?["interval"] == "30s")
            #expect(shown.json["resources"]?["memory"]?.isNull == true)
            #expect(shown.json["generation"] == 1)
            #expect(shown.json["observed_generation"] == 0)
            #expect(shown.json["updated_at"]?.stringValue != nil)

            #expect(try await api.delete("/api/v1/apps/myapp").status == .noContent)
            #expect(try await api.get("/api/v1/apps/myapp").errorCode == "not_found")
            #expect(try await api.delete("/api/v1/apps/myapp").status == .notFound)
            // The freed port is the lowest free one again.
            #expect(try await api.createApp("third").json["bind_port"] == 3000)
        }
    }

    @Test func rejectsBadNamesAndDuplicates() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for bad in ["MyApp", "1app", "my_app", "app-", "", String(repeating: "a", count: 31), "a.b"] {
                let reply = try await api.post("/api/v1/apps", #"{"name":"\#(bad)"}"#)
                #expect(reply.status == .unprocessableContent, "name \(bad)")
                #expect(reply.errorCode == "invalid_request")
                #expect(reply.errorField == "name")
            }
            #expect(try await api.post("/api/v1/apps", #"{"name":"\#(String(repeating: "a", count: 30))"}"#).status == .created)
            #expect(try await api.post("/api/v1/apps", #"{"name":"ok","environment":"dev"}"#).errorField == "environment")
            #expect(try await api.post("/api/v1/apps", #"{"name":"ok","colour":"blue"}"#).errorField == "colour")
            #expect(try await api.post("/api/v1/apps", #"{"name":42}"#).errorField == "name")
            #expect(try await api.post("/api/v1/apps", #"{}"#).errorField == "name")
            try await api.createApp("dup")
            let again = try await api.post("/api/v1/apps", #"{"name":"dup"}"#)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "conflict")
        }
    }

    @Test func patchChangesProcessesResourcesHealthcheckAndEnvironment() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("web")
            let reply = try await api.patch("/api/v1/apps/web", #"""
                {"processes": {"web": {"command": "npm start", "count": 2}, "worker": {"command": "npm run worker"}},
                 "resources": {"memory": "512M", "cpu": 0.5},
                 "healthcheck": {"path": "/health", "interval": "10s", "deploy_timeout": "2m"},
                 "environment": "staging"}
                """#)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["processes"]?["web"]?["command"] == "npm start")
            #expect(reply.json["processes"]?["web"]?["count"] == 2)
            #expect(reply.json["processes"]?["worker"]?["count"] == 1)
            #expect(reply.json["resources"]?["memory"] == "512M")
            #expect(reply.json["resources"]?["cpu"] == .double(0.5))
            #expect(reply.json["healthcheck"]?["path"] == "/health")
            #expect(reply.json["healthcheck"]?["interval"] == "10s")
            #expect(reply.json["healthcheck"]?["timeout"] == "5s")
            #expect(reply.json["healthcheck"]?["deploy_timeout"] == "2m")
            #expect(reply.json["environment"] == "staging")
            #expect(reply.json["generation"] == 2)

            // The same values again change nothing.
            let same = try await api.patch("/api/v1/apps/web", #"{"processes": {"web": {"count": 2}}}"#)
            #expect(same.json["generation"] == 2)

            let removed = try await api.patch("/api/v1/apps/web", #"{"processes": {"worker": null}}"#)
            #expect(removed.json["processes"]?["worker"] == nil)

            let cases: [(String, String)] = [
                (#"{"processes": {"web": {"count": 101}}}"#, "processes.web.count"),
                (#"{"processes": {"web": {"count": -1}}}"#, "processes.web.count"),
                (#"{"processes": {"web": {"count": "two"}}}"#, "processes.web.count"),
                (#"{"processes": {"web": {"cmd": "x"}}}"#, "processes.web.cmd"),
                (#"{"processes": {"Bad_Type": {"count": 1}}}"#, "processes.Bad_Type"),
                (#"{"resources": {"memory": "lots"}}"#, "resources.memory"),
                (#"{"resources": {"cpu": 0}}"#, "resources.cpu"),
                (#"{"healthcheck": {"path": "health"}}"#, "healthcheck.path"),
                (#"{"healthcheck": {"interval": "soon"}}"#, "healthcheck.interval"),
                (#"{"environment": "prod"}"#, "environment"),
                (#"{"image": "x"}"#, "image"),
            ]
            for (body, field) in cases {
                let bad = try await api.patch("/api/v1/apps/web", body)
                #expect(bad.status == .unprocessableContent, "\(body): \(bad.text)")
                #expect(bad.errorField == field, "\(body): \(bad.text)")
            }
            #expect(try await api.patch("/api/v1/apps/nope", #"{"environment":"staging"}"#).status == .notFound)
        }
    }

    @Test func healthNeedsNoToken() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for path in ["/health", "/api/v1/health"] {
                let reply = try await api.get(path, auth: .none)
                #expect(reply.status == .ok)
                #expect(reply.json["status"] == "healthy")
                #expect(reply.json["version"] == "1.0.0")
                let uptime = try #require(reply.json["uptime"]?.stringValue)
                #expect(uptime.range(of: #"^\d+h\d+m\d+s$"#, options: .regularExpression) != nil)
            }
        }
    }

    @Test func uptimeFormat() {
        #expect(HealthController.uptime(72 * 3600 + 15 * 60 + 30) == "72h15m30s")
    }
}
