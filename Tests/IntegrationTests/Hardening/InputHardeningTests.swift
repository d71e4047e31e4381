import Foundation
import Testing

/// Hostile and fuzzed requests (issue 10), each reproduced against the real `pvdifyd` binary.
@Suite(.serialized) struct InputHardeningTests {
    static let token = "pvd_hardening_bootstrap"

    /// A daemon with a known admin token and a rate limit these tests never reach.
    static func daemon() async throws -> DaemonProcess {
        let daemon = DaemonProcess(
            environment: ["PVDIFY_BOOTSTRAP_TOKEN": token], arguments: ["--podman-socket", "off", "--rate-limit", "100000"])
        try await daemon.start()
        return daemon
    }

    static func manifest(_ name: String, extra: String = "") -> String {
        "apiVersion: pvdify.win/v1\nkind: App\nmetadata:\n  name: \(name)\n\(extra)"
    }

    @Test func yamlAliasBombsAreRefusedBeforeExpansion() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"target"}"#).status == 201)
        let before = try #require(HostileRequest.peakMemoryKiB(of: daemon.process!.processIdentifier))
        for levels in [9, 10] {
            let bomb = HostileRequest.aliasBomb(levels: levels)
            for (method, path) in [("PUT", "/apps/target/manifest"), ("POST", "/apply")] {
                let reply = try await HostileRequest.send(
                    method, api + path, token: Self.token, body: bomb, contentType: "application/yaml", timeout: 10)
                // Stop at the first wrong answer: each further bomb would cost the daemon gigabytes.
                try #require(reply.status == 422, "\(method) \(path): \(reply.body)")
                #expect(reply.body.contains("invalid_request") && reply.body.contains("alias"), "\(reply.body)")
            }
        }
        // Anchors alone are refused too: without them an alias cannot be written.
        let anchored = Self.manifest("target", extra: "spec: &s {environment: staging}\n")
        let anchorReply = try await HostileRequest.send(
            "PUT", "\(api)/apps/target/manifest", token: Self.token, body: anchored, contentType: "application/yaml")
        #expect(anchorReply.status == 422 && anchorReply.body.contains("anchor"), "\(anchorReply.body)")
        // Alive, and the memory it needed stayed flat (the expanded bomb needs gigabytes).
        #expect(try await HTTP.request("GET", "\(daemon.baseURL)/health").status == 200)
        let after = try #require(HostileRequest.peakMemoryKiB(of: daemon.process!.processIdentifier))
        #expect(after - before < 100_000, "peak RSS grew from \(before) to \(after) KiB")
    }

    @Test func yamlShapeLimitsAreEnforced() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        let deep = Self.manifest("deep", extra: "spec:\n  processes: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "\n")
        let long = Self.manifest("long", extra: "spec:\n  image: \"" + String(repeating: "a", count: 129 * 1024) + "\"\n")
        let many = String(repeating: "--- {}\n", count: 1_001)
        for (body, words) in [(deep, "deeper than 64"), (long, "longer than 128 KiB"), (many, "more than 1000 documents")] {
            let reply = try await HostileRequest.send("POST", "\(api)/apply", token: Self.token, body: body, contentType: "application/yaml")
            #expect(reply.status == 422, "\(reply.body.prefix(300))")
            #expect(reply.body.contains(words), "\(reply.body.prefix(300))")
        }
        // The same limits hold for JSON bodies.
        let deepJSON = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let reply = try await HostileRequest.send("POST", "\(api)/apply", token: Self.token, body: deepJSON, contentType: "application/json")
        #expect(reply.status == 422 && reply.body.contains("deeper than 64"), "\(reply.body)")
    }

    @Test func applyChecksTheScopeBeforeReadingTheBody() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        let created = try await HTTP.request(
            "POST", "\(api)/tokens", token: Self.token, json: #"{"name":"reader","scopes":["read"]}"#)
        #expect(created.status == 201)
        let reader = try #require(created.body.firstMatch(of: /"token":"(pvd_[^"]+)"/)?.1).description
        let reply = try await HostileRequest.send(
            "POST", "\(api)/apply", token: reader, body: HostileRequest.aliasBomb(levels: 10), contentType: "application/yaml",
            timeout: 10)
        #expect(reply.status == 403, "\(reply.body)")
    }

    @Test func oneApplyTakesAtMost500Documents() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        let documents = (0..<501).map { "---\n" + Self.manifest("app-\($0)") }.joined()
        let reply = try await HostileRequest.send("POST", "\(api)/apply", token: Self.token, body: documents, contentType: "application/yaml")
        #expect(reply.status == 422, "\(reply.body.prefix(300))")
        #expect(reply.body.contains("at most 500") && reply.body.contains(#""field":"documents""#), "\(reply.body.prefix(300))")
        let listed = try await HTTP.request("GET", "\(api)/apps", token: Self.token)
        #expect(!listed.body.contains("app-0"), "nothing of a refused apply is created")
        // At the cap, it applies.
        let atCap = (0..<500).map { "---\n" + Self.manifest("app-\($0)") }.joined()
        let applied = try await HostileRequest.send("POST", "\(api)/apply", token: Self.token, body: atCap, contentType: "application/yaml", timeout: 120)
        #expect(applied.status == 200, "\(applied.body.prefix(300))")
    }

    @Test func headAnswersWhereverGetDoes() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"headed"}"#).status == 201)
        for path in ["/apps", "/apps/headed", "/apps/headed/manifest", "/apps/headed/config", "/apps/nothere"] {
            let get = try await HTTP.request("GET", api + path, token: Self.token)
            let head = try await HTTP.request("HEAD", api + path, token: Self.token)
            #expect(head.status == get.status, "\(path)")
            #expect(head.body.isEmpty, "\(path)")
            #expect(head.header("Content-Type") == get.header("Content-Type"), "\(path)")
            #expect(head.header("Content-Length") == String(get.body.utf8.count), "\(path)")
        }
        // A log stream's headers, answered at once, without opening a stream.
        let stream = try await HTTP.request("HEAD", "\(api)/apps/headed/logs?follow=true", token: Self.token)
        #expect(stream.status == 200 && stream.body.isEmpty && stream.header("Content-Type") == "text/event-stream")
        #expect(try await HTTP.request("HEAD", "\(daemon.baseURL)/health").status == 200)
        let unauthorized = try await HTTP.request("HEAD", "\(api)/apps")
        #expect(unauthorized.status == 401 && unauthorized.body.isEmpty)
        // HEAD is listed beside GET in Allow.
        let notAllowed = try await HTTP.request("PUT", "\(api)/apps/headed", token: Self.token, json: "{}")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, PATCH, DELETE, HEAD", "\(notAllowed.headers)")
    }

    @Test func allowListsExactlyTheMethodsServed() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"allowed"}"#).status == 201)
        for method in ["GET", "DELETE", "PATCH"] {
            let reply = try await HTTP.request(method, "\(api)/apps/allowed/config/secrets", token: Self.token)
            #expect(reply.status == 405, "\(method)")
            #expect(reply.header("Allow") == "POST", "\(method): \(reply.headers)")
        }
        let versions = try await HTTP.request("POST", "\(api)/apps/allowed/config/versions", token: Self.token)
        #expect(versions.status == 405 && versions.header("Allow") == "GET, HEAD", "\(versions.headers)")
        let key = try await HTTP.request("GET", "\(api)/apps/allowed/config/SOME_KEY", token: Self.token)
        #expect(key.status == 405 && key.header("Allow") == "DELETE", "\(key.headers)")
    }

    @Test func stringFieldsRefuseOtherTypes() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"typed"}"#).status == 201)
        for (body, field) in [(#"{"vars":{"A":1}}"#, "vars.A"), (#"{"vars":{"B":true}}"#, "vars.B"), (#"{"vars":{"C":2.5}}"#, "vars.C")] {
            let reply = try await HTTP.request("PATCH", "\(api)/apps/typed/config", token: Self.token, json: body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.body.contains(#""field":"\#(field)""#), "\(reply.body)")
        }
        let config = try await HTTP.request("GET", "\(api)/apps/typed/config", token: Self.token)
        #expect(config.body.contains(#""vars":{}"#), "\(config.body)")
        // The same in manifests: config values and label values are strings.
        for (extra, field) in [("spec:\n  config:\n    N: 4\n", "spec.config.N"), ("  labels:\n    tier: 1\n", "metadata.labels.tier")] {
            let reply = try await HostileRequest.send(
                "PUT", "\(api)/apps/typed/manifest", token: Self.token, body: Self.manifest("typed", extra: extra),
                contentType: "application/yaml")
            #expect(reply.status == 422, "\(extra)")
            #expect(reply.body.contains(field), "\(reply.body)")
        }
    }

    /// Sizes and durations past the integer range were multiplied unchecked: one request stopped the daemon.
    @Test func overflowingSizesAndDurationsAreRefused() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"big"}"#).status == 201)
        let longDuration = String(repeating: "999999999h", count: 3_000)
        let cases: [(String, String)] = [
            (#"{"resources":{"memory":"999999999999G"}}"#, "resources.memory"),
            (#"{"healthcheck":{"interval":"\#(longDuration)"}}"#, "healthcheck.interval"),
        ]
        for (body, field) in cases {
            let reply = try await HTTP.request("PATCH", "\(api)/apps/big", token: Self.token, json: body)
            #expect(reply.status == 422 && reply.body.contains(#""field":"\#(field)""#), "\(reply.body)")
        }
        #expect(try await HTTP.request("GET", "\(daemon.baseURL)/health").status == 200)
    }

    @Test func duplicateJSONKeysAreRefused() async throws {
        let daemon = try await Self.daemon()
        defer { daemon.cleanUp() }
        let api = "\(daemon.baseURL)/api/v1"
        let twice = try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"one","name":"two"}"#)
        #expect(twice.status == 422 && twice.body.contains(#""field":"name""#), "\(twice.body)")
        #expect(try await HTTP.request("GET", "\(api)/apps/two", token: Self.token).status == 404)
        #expect(try await HTTP.request("POST", "\(api)/apps", token: Self.token, json: #"{"name":"dup"}"#).status == 201)
        let cases: [(String, String, String, String)] = [
            ("PATCH", "/apps/dup/config", #"{"vars":{"A":"1","A":"2"}}"#, "vars.A"),
            ("PATCH", "/apps/dup/config", #"{"vars":{"A":"1","\u0041":"2"}}"#, "vars.A"),
            ("PUT", "/apps/dup/manifest", #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"dup"},"spec":{"environment":"staging","environment":"production"}}"#, "spec.environment"),
            ("POST", "/apply", #"{"documents":[{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"dup","name":"other"}}]}"#, "documents[0].metadata.name"),
        ]
        for (method, path, body, field) in cases {
            let reply = try await HTTP.request(method, api + path, token: Self.token, json: body)
            #expect(reply.status == 422, "\(body)")
            #expect(reply.body.contains(#""field":"\#(field)""#), "\(body): \(reply.body)")
        }
    }
}
