import AsyncHTTPClient
import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// A Podman API service of the test's own, on a socket in a temporary folder: killed and started
/// again on the same socket, as when the service crashes and systemd brings it back.
final class OwnPodmanService: @unchecked Sendable {
    let directory: URL
    var socket: String { directory.appendingPathComponent("podman.sock").path }
    private var process: Process?

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-outage-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the service and waits (bounded) until it answers.
    func start() async throws {
        try? FileManager.default.removeItem(atPath: socket)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        process.arguments = ["system", "service", "--time=0", "unix://\(socket)"]
        let log = directory.appendingPathComponent("service.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        try output.seekToEnd()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        guard let ping = URL(httpURLWithSocketPath: socket, uri: "/v4.0.0/libpod/_ping") else {
            throw DaemonError(message: "no URL for \(socket)")
        }
        let deadline = ContinuousClock.now + .seconds(30)
        var lastError = ""
        while ContinuousClock.now < deadline {
            do {
                // Go refuses the socket path as a Host header: name a plain host.
                let reply = try await HTTP.request("GET", ping.absoluteString, host: "podman")
                if reply.status == 200 { return }
                lastError = "\(reply.status) \(reply.body.prefix(200))"
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw DaemonError(message: "the Podman service on \(socket) did not answer (\(lastError)): \(said.suffix(2000))")
    }

    /// Kills the service (SIGKILL) and waits until it is gone; its containers keep running.
    func kill() async throws {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    func cleanUp() {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// What users see when the container runtime or the registry is away.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available))
struct RuntimeOutageTests {
    /// Whether every app's `Ready` condition has `status` (and `reason`, when given).
    static func ready(_ env: ContainerEnvironment, _ apps: [String], status: String, reason: String? = nil) async throws -> Bool {
        for app in apps {
            let conditions = try await env.get("/apps/\(app)")["conditions"]?.arrayValue ?? []
            let ready = conditions.first { $0["type"] == "Ready" }
            guard ready?["status"] == .string(status), reason.map({ ready?["reason"] == .string($0) }) ?? true else { return false }
        }
        return true
    }

    /// The full ids of each app's containers, from Podman.
    static func containerIDs(_ env: ContainerEnvironment, _ apps: [String]) throws -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for app in apps {
            let listing = try env.podmanOutput(["ps", "-a", "--no-trunc", "--filter", "label=pvdify.app=\(app)", "--format", "{{.ID}}"])
            ids[app] = Set(listing.split(separator: "\n").map(String.init))
        }
        return ids
    }

    @Test func podmanKilledThenBackMakesAppsRuntimeUnavailableThenReadyWithTheSameContainers() async throws {
        let service = try OwnPodmanService()
        defer { service.cleanUp() }
        try await service.start()
        try await ContainerEnvironment.withDaemon(socket: service.socket) { env in
            let apps = [env.uniqueApp("outage"), env.uniqueApp("outage")]
            for app in apps {
                try await env.create(app)
                try await env.deploy(app, tag: "v1")
            }
            for app in apps { try await env.waitForRelease(app, version: 1, status: "active") }
            try await env.waitUntil("every app Ready") { try await Self.ready(env, apps, status: "True") }
            let before = try Self.containerIDs(env, apps)
            #expect(before.values.allSatisfy { $0.count == 1 })

            // The service dies: within a resync (2 s here) every app says why; the API answers throughout.
            try await service.kill()
            try await env.waitUntil("every app RuntimeUnavailable", timeout: .seconds(30)) {
                try await Self.ready(env, apps, status: "False", reason: "RuntimeUnavailable")
            }
            #expect(try await env.get("/apps")["apps"]?.arrayValue?.count == apps.count)
            #expect(try await env.get("/apps/\(apps[0])/ps")["processes"] != nil)

            // Back on the same socket: the apps are Ready again on the containers they had.
            try await service.start()
            try await env.waitUntil("every app Ready again", timeout: .seconds(60)) { try await Self.ready(env, apps, status: "True") }
            #expect(try Self.containerIDs(env, apps) == before)
            for app in apps { #expect(try await env.page(app).contains("version: 1")) }
            try await env.deleteAllApps()
            try await env.waitUntil("no container left") { try Self.containerIDs(env, apps).values.allSatisfy(\.isEmpty) }
        }
    }

    @Test func aDeployFromARegistryNobodyListensOnFailsWithTheReasonAndTheOldReleaseServes() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("noregistry")
            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            let before = try await env.upstreams(app)

            let image = "127.0.0.1:\(try Loopback.freePort())/pvdify-test:v2"
            try await env.send("POST", "/apps/\(app)/releases", #"{"image":"\#(image)"}"#)
            try await env.waitForRelease(app, version: 2, status: "failed", timeout: .seconds(90))
            let log = try await env.text("/apps/\(app)/releases/2/log")
            #expect(log.contains("pulling \(image) failed"), "\(log)")
            #expect(log.contains("connection refused"), "\(log)")
            #expect(try await env.get("/apps/\(app)/releases/1")["status"] == "active")
            #expect(try await env.upstreams(app) == before)
            #expect(try await env.page(app).contains("version: 1"))
            let conditions = try await env.get("/apps/\(app)")["conditions"]?.arrayValue ?? []
            #expect(conditions.contains { $0["reason"] == "ReleaseFailed" })
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
        }
    }
}
