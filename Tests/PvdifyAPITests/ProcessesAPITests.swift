import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct ProcessesAPITests {
    @Test func listScaleRestart() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            _ = try await api.patch("/api/v1/apps/myapp", #"{"processes":{"worker":{"command":"run worker","count":1}}}"#)
            let list = try await api.get("/api/v1/apps/myapp/ps")
            #expect(list.json["processes"]?[0]?["type"] == "web")
            #expect(list.json["processes"]?[0]?["count"] == 1)
            #expect(list.json["processes"]?[0]?["status"] == "pending")
            #expect(list.json["processes"]?[1]?["type"] == "worker")

            let scaled = try await api.post("/api/v1/apps/myapp/ps/scale", #"{"web":3,"worker":2}"#)
            #expect(scaled.status == .ok, "\(scaled.text)")
            #expect(scaled.json["processes"]?[0] == ["type": "web", "count": 3, "status": "scaling"])
            #expect(scaled.json["processes"]?[1] == ["type": "worker", "count": 2, "status": "scaling"])
            #expect(scaled.json["generation"] == 3)
            #expect(scaled.json["observed_generation"] == 0)

            // What the reconciler last saw was another count: the type is scaling, not running.
            try await harness.store.writeStatus("myapp", AppStatus(
                observedGeneration: 2, phase: .running,
                processes: ["web": ProcessStatus(desired: 1, running: 1, status: "running")]))
            let catchingUp = try await api.get("/api/v1/apps/myapp/ps")
            #expect(catchingUp.json["processes"]?[0]?["status"] == "scaling")
            #expect(catchingUp.json["generation"] == 3)
            #expect(catchingUp.json["observed_generation"] == 2)
            #expect(try await api.get("/api/v1/apps/myapp").json["processes"]?["web"]?["count"] == 3)

            // Status comes from what the reconciler reports.
            try await harness.store.writeStatus("myapp", AppStatus(
                observedGeneration: 3, phase: .running,
                processes: ["web": ProcessStatus(desired: 3, running: 3, status: "running")]))
            let observed = try await api.get("/api/v1/apps/myapp/ps")
            #expect(observed.json["processes"]?[0]?["status"] == "running")
            #expect(observed.json["processes"]?[0]?["running"] == 3)
            #expect(try await api.get("/api/v1/apps/myapp").json["status"] == "running")
            #expect(try await api.get("/api/v1/apps/myapp").json["observed_generation"] == 3)

            for (body, field) in [
                (#"{"web":101}"#, "web"), (#"{"web":-1}"#, "web"), (#"{"web":"3"}"#, "web"), (#"{"web":1.5}"#, "web"),
                (#"{"clock":1}"#, "clock"), (#"{}"#, nil),
            ] as [(String, String?)] {
                let reply = try await api.post("/api/v1/apps/myapp/ps/scale", body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.errorField == field, "\(body): \(reply.text)")
            }
            // A failed scale changed nothing.
            #expect(try await api.get("/api/v1/apps/myapp").json["processes"]?["web"]?["count"] == 3)

            let generation = try #require(try await api.get("/api/v1/apps/myapp").json["generation"]?.intValue)
            let restart = try await api.post("/api/v1/apps/myapp/ps/restart", #"{"type":"web"}"#)
            #expect(restart.status == .ok)
            #expect(restart.json["restarted"] == ["web"])
            #expect(restart.json["timestamp"]?.stringValue != nil)
            #expect(try await api.get("/api/v1/apps/myapp").json["generation"] == .int(generation + 1))
            let all = try await api.post("/api/v1/apps/myapp/ps/restart")
            #expect(all.json["restarted"] == ["web", "worker"])
            #expect(try await api.post("/api/v1/apps/myapp/ps/restart", #"{"type":"clock"}"#).errorField == "type")
            #expect(try await api.post("/api/v1/apps/nope/ps/restart").status == .notFound)
            #expect(try await api.post("/api/v1/apps/nope/ps/scale", #"{"web":1}"#).status == .notFound)
        }
    }
}
