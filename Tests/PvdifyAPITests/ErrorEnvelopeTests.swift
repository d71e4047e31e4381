import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

@Suite struct ErrorEnvelopeTests {
    @Test func clientMistakesUseTheEnvelope() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await api.createApp("myapp")
            let unknown = try await api.get("/api/v1/unknown")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")

            let method = try await api.send(.put, "/api/v1/apps/myapp/releases")
            #expect(method.status == .methodNotAllowed)
            #expect(method.errorCode == "method_not_allowed")
            #expect(method.headers[.allow] == "GET, POST, HEAD")  // HEAD is served wherever GET is

            let malformed = try await api.post("/api/v1/apps", #"{"name": "x""#)
            #expect(malformed.status == .unprocessableContent)
            #expect(malformed.errorCode == "invalid_request")

            let notObject = try await api.post("/api/v1/apps", #"["myapp"]"#)
            #expect(notObject.status == .unprocessableContent)

            let wrongType = try await api.send(.post, "/api/v1/apps", json: #"{"name":"x"}"#, contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(wrongType.errorCode == "unsupported_media_type")

            let form = try await api.send(.post, "/api/v1/apps", body: "name=x", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)

            let huge = String(repeating: "a", count: 2 << 20)
            let tooLarge = try await api.patch("/api/v1/apps/myapp/config", #"{"vars":{"A":"\#(huge)"}}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "payload_too_large")

            let empty = try await api.post("/api/v1/apps")
            #expect(empty.status == .unprocessableContent)

            // Every error carries the rate-limit headers.
            for reply in [unknown, method, malformed, wrongType, tooLarge] {
                #expect(reply.headers[.rateLimitLimit] != nil)
                #expect(reply.json["error"]?["message"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func storeFaultIsA500WithoutDetails() async throws {
        let harness = try await APIHarness.make()
        let store = harness.store
        try await harness.run { api in
            try await api.createApp("myapp")
            try store.close()
            let reply = try await api.get("/api/v1/apps/myapp/releases")
            #expect(reply.status == .internalServerError)
            #expect(reply.errorCode == "internal_error")
            #expect(reply.json["error"]?["message"]?.stringValue?.contains("request id") == true)
        }
    }
}
