import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct ManifestAPITests {
    static let manifest = """
        apiVersion: pvdify.win/v1
        kind: App
        metadata:
          name: myapp
          labels: {team: web}
        spec:
          environment: production
          image: reg.io/org/app:v1.2.3
          processes:
            web: {command: npm start, count: 2}
            worker: {command: npm run worker, count: 1}
          domains: [myapp.com, www.myapp.com]
          resources: {memory: 512M, cpu: 0.5}
          healthcheck: {path: /health, interval: 30s, timeout: 5s, deploy_timeout: 60s}
          config: {NODE_ENV: production, RETRIES: "3", FLAG: no}
        """

    @Test func putThenGetRoundTrips() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            let put = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: Self.manifest, contentType: "application/yaml")
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.headers[.contentType]?.hasPrefix("application/yaml") == true)

            let app = try await api.get("/api/v1/apps/myapp")
            #expect(app.json["image"] == "reg.io/org/app:v1.2.3")
            #expect(app.json["processes"]?["web"]?["count"] == 2)
            #expect(app.json["domains"] == ["myapp.com", "www.myapp.com"])
            #expect(app.json["labels"]?["team"] == "web")
            let generation = try #require(app.json["generation"]?.intValue)
            let config = try await api.get("/api/v1/apps/myapp/config")
            #expect(config.json["vars"]?["FLAG"] == "no")
            #expect(config.json["vars"]?["RETRIES"] == "3")
            let releases = try await api.get("/api/v1/apps/myapp/releases")
            #expect(releases.json["releases"]?.arrayValue?.count == 1)
            #expect(releases.json["releases"]?[0]?["config_version"] == "v1")

            // The stored manifest, as JSON, applied again, changes nothing.
            let json = try await api.send(.get, "/api/v1/apps/myapp/manifest", headers: [.accept: "application/json"])
            #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(json.json["spec"]?["processes"]?["worker"]?["command"] == "npm run worker")
            #expect(json.json["apiVersion"] == "pvdify.win/v1")
            let again = try await api.send(.put, "/api/v1/apps/myapp/manifest", json: json.text)
            #expect(again.status == .ok, "\(again.text)")
            let yaml = try await api.get("/api/v1/apps/myapp/manifest")
            #expect(yaml.text.contains("kind: App"))
            let reapplied = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: yaml.text, contentType: "text/yaml")
            #expect(reapplied.status == .ok, "\(reapplied.text)")
            #expect(try await api.get("/api/v1/apps/myapp").json["generation"] == .int(generation))
            #expect(try await api.get("/api/v1/apps/myapp/releases").json["releases"]?.arrayValue?.count == 1)
            #expect(try await api.get("/api/v1/apps/myapp/config/versions").json["versions"]?.arrayValue?.count == 1)

            // A new image is a release; dropping a domain removes it.
            let changed = Self.manifest.replacingOccurrences(of: "v1.2.3", with: "v1.2.4")
                .replacingOccurrences(of: "[myapp.com, www.myapp.com]", with: "[myapp.com]")
            #expect(try await api.send(.put, "/api/v1/apps/myapp/manifest", body: changed, contentType: "application/yaml").status == .ok)
            #expect(try await api.get("/api/v1/apps/myapp/releases").json["releases"]?[0]?["image"] == "reg.io/org/app:v1.2.4")
            #expect(try await api.get("/api/v1/apps/myapp/domains").json["domains"]?.arrayValue?.count == 1)
        }
    }

    @Test func errorsNameTheField() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            try await api.createApp("other")
            _ = try await api.post("/api/v1/apps/other/domains", #"{"name":"taken.com"}"#)
            let cases: [(String, String, String)] = [
                ("count: 2}", "count: 200}", "spec.processes.web.count"),
                ("resources:", "resorces:", "spec.resorces"),
                ("name: myapp", "name: other", "metadata.name"),
                ("apiVersion: pvdify.win/v1", "apiVersion: v2", "apiVersion"),
                ("memory: 512M", "memory: big", "spec.resources.memory"),
                ("interval: 30s", "interval: often", "spec.healthcheck.interval"),
                ("NODE_ENV: production", "NODE_ENV: [a]", "spec.config.NODE_ENV"),
            ]
            for (from, to, field) in cases {
                let body = Self.manifest.replacingOccurrences(of: from, with: to)
                let reply = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: body, contentType: "application/yaml")
                #expect(reply.status == .unprocessableContent, "\(to): \(reply.text)")
                #expect(reply.errorField == field, "\(to): \(reply.text)")
            }
            let typo = Self.manifest.replacingOccurrences(of: "resources:", with: "resorces:")
            let suggestion = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: typo, contentType: "application/yaml")
            #expect(suggestion.json["error"]?["message"]?.stringValue?.contains("did you mean 'resources'") == true)

            let syntax = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: "spec: [unclosed", contentType: "application/yaml")
            #expect(syntax.status == .unprocessableContent)
            #expect(syntax.json["error"]?["message"]?.stringValue?.contains("line") == true, "\(syntax.text)")

            let secrets = Self.manifest + "\n  secrets: [API_KEY]\n"
            let missing = try await api.send(.put, "/api/v1/apps/myapp/manifest", body: secrets, contentType: "application/yaml")
            #expect(missing.errorField == "spec.secrets[0]")
            _ = try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"API_KEY","value":"k"}"#)
            #expect(try await api.send(.put, "/api/v1/apps/myapp/manifest", body: secrets, contentType: "application/yaml").status == .ok)

            let conflict = Self.manifest.replacingOccurrences(of: "www.myapp.com", with: "taken.com")
            #expect(try await api.send(.put, "/api/v1/apps/myapp/manifest", body: conflict, contentType: "application/yaml").status == .conflict)
            #expect(try await api.send(.put, "/api/v1/apps/myapp/manifest", body: Self.manifest, contentType: "text/html").status == .unsupportedMediaType)
            #expect(try await api.send(.put, "/api/v1/apps/nope/manifest", body: Self.manifest, contentType: "application/yaml").status == .notFound)
        }
    }
}
