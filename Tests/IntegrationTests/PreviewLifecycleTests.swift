import Foundation
import Testing

/// Previews through the real daemon (no Podman): the sweeper deletes expired ones, and deleting
/// the parent deletes them all.
@Suite struct PreviewLifecycleTests {
    @Test func expiredPreviewIsDeletedByTheSweeper() async throws {
        let daemon = DaemonProcess()
        defer { daemon.cleanUp() }
        try await daemon.start()
        let token = daemon.adminToken
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"short"}"#).status == 201)
        #expect(try await HTTP.request("PATCH", "\(api)/apps/short", token: token, json: #"{"previews":{"ttl":"2s"}}"#).status == 200)
        #expect(try await HTTP.request("POST", "\(api)/apps/short/previews", token: token, json: #"{"pr_number":1,"image":"reg.io/s:1"}"#).status == 201)
        // A longer TTL for the second one: it must outlive the first.
        #expect(try await HTTP.request("PATCH", "\(api)/apps/short", token: token, json: #"{"previews":{"ttl":"1h"}}"#).status == 200)
        #expect(try await HTTP.request("POST", "\(api)/apps/short/previews", token: token, json: #"{"pr_number":2,"image":"reg.io/s:1"}"#).status == 201)
        // (pr-1 may already be gone here on a loaded machine: its TTL is 2 s; its 201 above proves it was made.)
        let deadline = ContinuousClock.now + .seconds(30)
        var gone = false
        while ContinuousClock.now < deadline {
            if try await HTTP.request("GET", "\(api)/apps/short-pr-1", token: token).status == 404 { gone = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(gone, "the expired preview is still there")
        let list = try await HTTP.request("GET", "\(api)/apps/short/previews", token: token)
        #expect(list.body.contains("short-pr-2") && !list.body.contains("short-pr-1"), "\(list.body)")
        #expect(try await HTTP.request("GET", "\(api)/apps/short-pr-2", token: token).status == 200)
    }

    @Test func deletingTheParentDeletesItsPreviews() async throws {
        let daemon = DaemonProcess()
        defer { daemon.cleanUp() }
        try await daemon.start()
        let token = daemon.adminToken
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"parent"}"#).status == 201)
        for number in 1...3 {
            let created = try await HTTP.request(
                "POST", "\(api)/apps/parent/previews", token: token, json: #"{"pr_number":\#(number),"image":"reg.io/p:1"}"#)
            #expect(created.status == 201)
        }
        #expect(try await HTTP.request("DELETE", "\(api)/apps/parent", token: token).status == 204)
        for number in 1...3 {
            #expect(try await HTTP.request("GET", "\(api)/apps/parent-pr-\(number)", token: token).status == 404)
        }
        // A new app of the same name starts with no previews.
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"parent"}"#).status == 201)
        #expect(try await HTTP.request("GET", "\(api)/apps/parent/previews", token: token).body.contains(#""previews":[]"#))
    }

    @Test func aParentConfigChangeReachesItsPreviews() async throws {
        let daemon = DaemonProcess()
        defer { daemon.cleanUp() }
        try await daemon.start()
        let token = daemon.adminToken
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"shop"}"#).status == 201)
        #expect(try await HTTP.request("POST", "\(api)/apps/shop/previews", token: token, json: #"{"pr_number":5,"image":"reg.io/s:1"}"#).status == 201)
        #expect(try await HTTP.request("PATCH", "\(api)/apps/shop/config", token: token, json: #"{"vars":{"FEATURE":"on"}}"#).status == 200)
        #expect(try await HTTP.request(
            "POST", "\(api)/apps/shop/config/secrets", token: token, json: #"{"name":"KEY","value":"k3y-value"}"#).status == 201)
        #expect(try await HTTP.request("PATCH", "\(api)/apps/shop", token: token, json: #"{"previews":{"secrets":["KEY"]}}"#).status == 200)

        let deadline = ContinuousClock.now + .seconds(15)
        var config = ""
        while ContinuousClock.now < deadline {
            config = try await HTTP.request("GET", "\(api)/apps/shop-pr-5/config", token: token).body
            if config.contains("FEATURE") && config.contains("KEY") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(config.contains(#""FEATURE":"on""#) && config.contains(#""secrets":["KEY"]"#), "\(config)")
        #expect(!config.contains("k3y-value"))
    }
}
