import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct DomainsAPITests {
    @Test func addListVerifyRemove() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            try await api.createApp("other")
            let added = try await api.post("/api/v1/apps/myapp/domains", #"{"name":"API.MyApp.com"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(added.json["name"] == "api.myapp.com")
            #expect(added.json["status"] == "provisioning")
            #expect(added.json["ssl"] == false)

            let list = try await api.get("/api/v1/apps/myapp/domains")
            #expect(list.json["domains"]?[0]?["name"] == "api.myapp.com")
            #expect(try await api.get("/api/v1/apps/myapp").json["domains"] == ["api.myapp.com"])

            let taken = try await api.post("/api/v1/apps/other/domains", #"{"name":"api.myapp.com"}"#)
            #expect(taken.status == .conflict)
            #expect(try await api.post("/api/v1/apps/myapp/domains", #"{"name":"api.myapp.com"}"#).status == .conflict)

            let verify = try await api.post("/api/v1/apps/myapp/domains/api.myapp.com/verify")
            #expect(verify.status == .accepted)
            #expect(verify.json["domain"] == "api.myapp.com")
            #expect(verify.json["status"] == "verifying")
            let token = try #require(verify.json["verify_token"]?.stringValue)
            #expect(token.count >= 32)
            #expect(verify.json["dns_record"] == .string("_pvdify-verify.api.myapp.com TXT \(token)"))
            let again = try await api.post("/api/v1/apps/myapp/domains/api.myapp.com/verify")
            #expect(again.json["verify_token"]?.stringValue != token)
            #expect(try await api.get("/api/v1/apps/myapp/domains").json["domains"]?[0]?["status"] == "verifying")
            #expect(try await api.post("/api/v1/apps/myapp/domains/nope.com/verify").status == .notFound)
            #expect(try await api.post("/api/v1/apps/other/domains/api.myapp.com/verify").status == .notFound)

            #expect(try await api.delete("/api/v1/apps/other/domains/api.myapp.com").status == .notFound)
            #expect(try await api.delete("/api/v1/apps/myapp/domains/api.myapp.com").status == .noContent)
            #expect(try await api.delete("/api/v1/apps/myapp/domains/api.myapp.com").status == .notFound)
            // Free again for anyone.
            #expect(try await api.post("/api/v1/apps/other/domains", #"{"name":"api.myapp.com"}"#).status == .created)
            // Deleting the app frees its domains.
            #expect(try await api.delete("/api/v1/apps/other").status == .noContent)
            #expect(try await api.post("/api/v1/apps/myapp/domains", #"{"name":"api.myapp.com"}"#).status == .created)
        }
    }

    @Test func rejectsBadHostnames() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            for bad in ["localhost", "1.2.3.4", "-a.com", "a-.com", "a..com", "a_b.com", "a.com/x", "*.a.com", "a .com", "example.123"] {
                let reply = try await api.post("/api/v1/apps/myapp/domains", #"{"name":"\#(bad)"}"#)
                #expect(reply.status == .unprocessableContent, "\(bad)")
                #expect(reply.errorField == "name")
            }
            #expect(try await api.post("/api/v1/apps/myapp/domains", #"{}"#).errorField == "name")
            #expect(try await api.post("/api/v1/apps/nope/domains", #"{"name":"x.com"}"#).status == .notFound)
        }
    }
}
