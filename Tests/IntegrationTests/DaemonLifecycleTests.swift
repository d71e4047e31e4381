import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Drives the real `pvdifyd` binary: durability across SIGKILL, graceful SIGTERM, token bootstrap,
/// and log streaming over a real socket.
@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        let daemon = DaemonProcess()
        defer { daemon.cleanUp() }
        try await daemon.start()
        let token = daemon.adminToken
        #expect(token.hasPrefix("pvd_"))
        #expect(daemon.log.contains(token))  // printed once, on first start
        let mode = try FileManager.default.attributesOfItem(atPath: daemon.dataDirectory.appendingPathComponent("admin-token").path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        let api = "\(daemon.baseURL)/api/v1"
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"durable"}"#).status == 201)
        #expect(try await HTTP.request("PATCH", "\(api)/apps/durable/config", token: token, json: #"{"vars":{"A":"1"}}"#).status == 200)
        #expect(try await HTTP.request("POST", "\(api)/apps/durable/releases", token: token, json: #"{"image":"reg.io/app:v1"}"#).status == 201)
        let last = try await HTTP.request("POST", "\(api)/apps/durable/config/secrets", token: token, json: #"{"name":"S","value":"shh"}"#)
        #expect(last.status == 201)
        // Killed right after the last 2xx: no chance to flush anything.
        #expect(try await daemon.stop(signal: SIGKILL) == SIGKILL)

        try await daemon.start()
        #expect(!daemon.log.contains(token), "the admin token is printed only on first start")
        let config = try await HTTP.request("GET", "\(api)/apps/durable/config", token: token)
        #expect(config.status == 200)
        #expect(config.body.contains(#""version":"v2""#))
        #expect(config.body.contains(#""S":"[REDACTED]""#))
        let releases = try await HTTP.request("GET", "\(api)/apps/durable/releases", token: token)
        #expect(releases.body.contains(#""config_version":"v2""#))  // the secret's release, acknowledged just before the kill
        #expect(try await daemon.stop() == 0)
    }

    @Test func shutsDownGracefullyWithAnOpenLogStream() async throws {
        let daemon = DaemonProcess(environment: ["PVDIFY_BOOTSTRAP_TOKEN": "pvd_integration_bootstrap"])
        defer { daemon.cleanUp() }
        try await daemon.start()
        let token = "pvd_integration_bootstrap"
        let api = "\(daemon.baseURL)/api/v1"
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory.appendingPathComponent("admin-token").path))
        #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"streamer"}"#).status == 201)

        var request = HTTPClientRequest(url: "\(api)/apps/streamer/logs?follow=true")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"].first == "text/event-stream")
        var chunks = response.body.makeAsyncIterator()
        var received = ""
        // The stream has started (backlog: the creation event).
        while !received.contains("App created") {
            guard let chunk = try await chunks.next() else { break }
            received += String(buffer: chunk)
        }
        let changedAt = ContinuousClock.now
        #expect(try await HTTP.request("PATCH", "\(api)/apps/streamer/config", token: token, json: #"{"vars":{"LIVE":"1"}}"#).status == 200)
        while !received.contains("LIVE") {
            guard let chunk = try await chunks.next() else { break }
            received += String(buffer: chunk)
        }
        #expect(received.contains("data: {"))
        #expect(received.contains("Config changed by admin: LIVE"))
        #expect(ContinuousClock.now - changedAt < .seconds(1))

        // SIGTERM ends the stream and the daemon exits 0.
        let status = try await daemon.stop(signal: SIGTERM, timeout: .seconds(20))
        #expect(status == 0, "\(daemon.log)")
        while let chunk = try? await chunks.next() { received += String(buffer: chunk) }
        #expect(daemon.log.contains("pvdifyd stopped"))
    }

    @Test func rejectsBadConfiguration() async throws {
        let process = Process()
        process.executableURL = DaemonProcess.binary
        process.arguments = ["--tls", "sometimes", "--data-dir", "/tmp/pvdify-never-created"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("--tls must be acme, internal or off"))
    }
}
