import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct ConfigAPITests {
    @Test func varsSecretsVersionsAndRedaction() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            let empty = try await api.get("/api/v1/apps/myapp/config")
            #expect(empty.json["version"]?.isNull == true)
            #expect(empty.json["vars"] == [:])
            #expect(empty.json["secrets"] == [])

            let set = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"NODE_ENV":"production","DATABASE_URL":"postgres://db"}}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect(set.json["version"] == "v1")
            #expect(set.json["changes"] == ["DATABASE_URL", "NODE_ENV"])
            #expect(set.json["release"]?.isNull == true)  // no image yet: no release

            let secret = try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"API_KEY","value":"sk_live_supersecret"}"#)
            #expect(secret.status == .created)
            #expect(secret.json["name"] == "API_KEY")
            #expect(secret.json["version"] == "v2")
            #expect(!secret.text.contains("sk_live_supersecret"))

            let config = try await api.get("/api/v1/apps/myapp/config")
            #expect(config.json["version"] == "v2")
            #expect(config.json["vars"]?["API_KEY"] == "[REDACTED]")
            #expect(config.json["vars"]?["NODE_ENV"] == "production")
            #expect(config.json["secrets"] == ["API_KEY"])
            #expect(!config.text.contains("sk_live_supersecret"))

            let versions = try await api.get("/api/v1/apps/myapp/config/versions")
            #expect(versions.json["versions"]?[0]?["version"] == "v2")
            #expect(versions.json["versions"]?[0]?["changes"] == ["API_KEY"])
            #expect(versions.json["versions"]?[1]?["version"] == "v1")

            for path in ["v2", "2"] {
                let one = try await api.get("/api/v1/apps/myapp/config/versions/\(path)")
                #expect(one.json["version"] == 2)
                #expect(one.json["vars"]?["API_KEY"] == "[REDACTED]")
                #expect(!one.text.contains("sk_live_supersecret"))
            }
            #expect(try await api.get("/api/v1/apps/myapp/config/versions/v9").status == .notFound)
            #expect(try await api.get("/api/v1/apps/myapp/config/versions/latest").status == .notFound)

            // Unchanged values make no version.
            let same = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"NODE_ENV":"production"}}"#)
            #expect(same.json["version"] == "v2")
            #expect(same.json["changes"] == [])

            // null unsets; the manifest and the log never show the secret.
            let unset = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"DATABASE_URL":null}}"#)
            #expect(unset.json["version"] == "v3")
            #expect(unset.json["changes"] == ["DATABASE_URL"])
            #expect(try await api.get("/api/v1/apps/myapp/config").json["vars"]?["DATABASE_URL"] == nil)
            let manifest = try await api.get("/api/v1/apps/myapp/manifest")
            #expect(!manifest.text.contains("sk_live_supersecret"))
            let logs = try await api.get("/api/v1/apps/myapp/logs?lines=1000")
            #expect(logs.text.contains("API_KEY"))
            #expect(!logs.text.contains("sk_live_supersecret"))
            #expect(!logs.text.contains("postgres://db"))

            // A secret cannot be overwritten by a plain var, but can be unset.
            let clash = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"API_KEY":"plain"}}"#)
            #expect(clash.status == .unprocessableContent)
            #expect(clash.errorField == "vars.API_KEY")
            #expect(try await api.delete("/api/v1/apps/myapp/config/API_KEY").status == .noContent)
            #expect(try await api.get("/api/v1/apps/myapp/config").json["secrets"] == [])
            #expect(try await api.delete("/api/v1/apps/myapp/config/API_KEY").status == .notFound)
            #expect(try await api.delete("/api/v1/apps/nope/config/X").status == .notFound)
        }
    }

    @Test func configChangeWithAnImageIsARelease() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            _ = try await api.post("/api/v1/apps/myapp/releases", #"{"image":"reg.io/app:v1"}"#)
            let secret = try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"TOKEN","value":"abc"}"#)
            #expect(secret.json["release"] == 2)
            let release = try await api.get("/api/v1/apps/myapp/releases/2")
            #expect(release.json["image"] == "reg.io/app:v1")
            #expect(release.json["config_version"] == "v1")
            #expect(try await api.delete("/api/v1/apps/myapp/config/TOKEN").status == .noContent)
            #expect(try await api.get("/api/v1/apps/myapp/releases").json["releases"]?.arrayValue?.count == 3)
        }
    }

    @Test func rejectsBadConfig() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            let cases: [(String, String?)] = [
                (#"{"vars":{"1BAD":"x"}}"#, "vars.1BAD"),
                (#"{"vars":{"BAD-KEY":"x"}}"#, "vars.BAD-KEY"),
                (#"{"vars":{"PORT":"80"}}"#, "vars.PORT"),
                (#"{"vars":{"A":["x"]}}"#, "vars.A"),
                (#"{"vars":{"A":"[REDACTED]"}}"#, "vars.A"),
                (#"{"vars":{}}"#, "vars"),
                (#"{"vars":"A=1"}"#, "vars"),
                (#"{"env":{"A":"1"}}"#, "env"),
            ]
            for (body, field) in cases {
                let reply = try await api.patch("/api/v1/apps/myapp/config", body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.errorField == field, "\(body): \(reply.text)")
            }
            let big = String(repeating: "x", count: 33 * 1024)
            #expect(try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"BIG":"\#(big)"}}"#).errorField == "vars.BIG")
            #expect(try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"K"}"#).errorField == "value")
            #expect(try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"K","value":""}"#).errorField == "value")
            #expect(try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"K K","value":"v"}"#).errorField == "name")
            // Values are strings: a number or boolean is refused, naming the var, and nothing is stored.
            for (body, field) in [
                (#"{"vars":{"WORKERS":4}}"#, "vars.WORKERS"), (#"{"vars":{"DEBUG":false}}"#, "vars.DEBUG"),
                (#"{"vars":{"RATIO":1.5}}"#, "vars.RATIO"),
            ] {
                let reply = try await api.patch("/api/v1/apps/myapp/config", body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.errorField == field, "\(body): \(reply.text)")
            }
            #expect(try await api.get("/api/v1/apps/myapp/config").json["vars"]?["WORKERS"] == nil)
        }
    }
}
