import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel
import Testing

/// A pvdifyd on real Podman for integration tests, with helpers to drive its API.
struct ContainerEnvironment: Sendable {
    static var podmanSocket: String? { ProcessInfo.processInfo.environment["PVDIFY_PODMAN_SOCKET"] }
    static var registryAddress: String? { ProcessInfo.processInfo.environment["PVDIFY_TEST_REGISTRY"] }
    static var available: Bool { podmanSocket != nil && registryAddress != nil }

    let daemon: DaemonProcess
    let token: String
    var registry: String { Self.registryAddress ?? "127.0.0.1:5000" }
    var api: String { "\(daemon.baseURL)/api/v1" }

    /// Runs `body` with a fresh daemon; removes its apps (and so their containers) afterwards.
    /// With `caddy`, pvdifyd routes through it (TLS `internal`, base domain `pvdify.test`).
    /// `socket` is the Podman API socket pvdifyd uses (the tests' shared one by default);
    /// `arguments` and `environment` are added to pvdifyd's own.
    static func withDaemon(
        caddy: CaddyProcess? = nil, socket: String? = nil, arguments extra: [String] = [], environment: [String: String] = [:],
        _ body: (ContainerEnvironment) async throws -> Void
    ) async throws {
        let token = "pvd_containers_\(UUID().uuidString.lowercased())"
        // The tests poll the API several times a second for minutes: above the default 100 requests a minute.
        var arguments = [
            "--podman-socket", socket ?? podmanSocket!, "--insecure-registry", registryAddress!, "--resync-interval", "2s",
            "--rate-limit", "100000",
        ]
        if let caddy {
            arguments += [
                "--caddy-admin", caddy.adminURL, "--proxy-http-port", String(caddy.httpPort),
                "--proxy-https-port", String(caddy.httpsPort), "--tls", "internal", "--base-domain", "pvdify.test",
            ]
        }
        arguments += extra
        let daemon = DaemonProcess(
            environment: environment.merging(["PVDIFY_BOOTSTRAP_TOKEN": token]) { _, bootstrap in bootstrap }, arguments: arguments)
        defer {
            // PVDIFY_TEST_KEEP_LOGS=DIR keeps each daemon's log there, for looking into a failure.
            if let keep = ProcessInfo.processInfo.environment["PVDIFY_TEST_KEEP_LOGS"] {
                try? daemon.log.write(toFile: "\(keep)/pvdifyd-\(daemon.port).log", atomically: true, encoding: .utf8)
            }
            daemon.cleanUp()
        }
        try await daemon.start()
        let env = ContainerEnvironment(daemon: daemon, token: token)
        do {
            try await body(env)
        } catch {
            Issue.record("daemon log tail:\n\(daemon.log.suffix(4000))")
            try? await env.deleteAllApps()
            throw error
        }
        try await daemon.stop()
    }

    init(daemon: DaemonProcess, token: String) {
        self.daemon = daemon
        self.token = token
    }

    func uniqueApp(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())" }

    @discardableResult
    func send(_ method: String, _ path: String, _ json: String?) async throws -> JSONValue {
        let reply = try await HTTP.request(method, api + path, token: token, json: json)
        guard (200..<300).contains(reply.status) else {
            throw DaemonError(message: "\(method) \(path): \(reply.status) \(reply.body)")
        }
        return reply.body.isEmpty ? .null : try JSONValue.parse(json: Data(reply.body.utf8))
    }

    func get(_ path: String) async throws -> JSONValue { try await send("GET", path, nil) }

    func text(_ path: String) async throws -> String { try await HTTP.request("GET", api + path, token: token).body }

    func create(_ app: String) async throws { try await send("POST", "/apps", #"{"name":"\#(app)"}"#) }

    func patch(_ app: String, _ json: String) async throws { try await send("PATCH", "/apps/\(app)", json) }

    func setConfig(_ app: String, _ vars: [String: String]) async throws {
        let body = try JSONEncoder().encode(["vars": vars])
        try await send("PATCH", "/apps/\(app)/config", String(decoding: body, as: UTF8.self))
    }

    func deploy(_ app: String, tag: String) async throws {
        try await send("POST", "/apps/\(app)/releases", #"{"image":"\#(registry)/pvdify-test:\#(tag)"}"#)
    }

    func waitForRelease(_ app: String, version: Int, status: String, timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("release v\(version) \(status)", timeout: timeout) {
            let release = try await get("/apps/\(app)/releases/\(version)")
            if release["status"] == "failed", status != "failed" {
                throw DaemonError(message: "release v\(version) failed: \(try await text("/apps/\(app)/releases/\(version)/log"))")
            }
            return release["status"] == .string(status)
        }
    }

    /// The `127.0.0.1:<port>` upstreams the container reconciler published.
    func upstreams(_ app: String) async throws -> [String] {
        (try await get("/apps/\(app)")["upstreams"]?.arrayValue ?? []).compactMap { value in
            if case .string(let text) = value { return text }
            return nil
        }
    }

    /// `/` of the app's first web instance, on 127.0.0.1.
    func page(_ app: String) async throws -> String {
        guard let upstream = try await upstreams(app).first else { throw DaemonError(message: "\(app) has no upstream") }
        let reply = try await HTTP.request("GET", "http://\(upstream)/")
        guard reply.status == 200 else { throw DaemonError(message: "\(upstream) answered \(reply.status)") }
        return reply.body
    }

    /// Requests `/` of the published upstreams every 100 ms for `duration`; counts failures.
    func pageRequests(_ app: String, for duration: Duration) async throws -> (total: Int, failures: Int) {
        let deadline = ContinuousClock.now + duration
        var total = 0, failures = 0
        while ContinuousClock.now < deadline {
            total += 1
            if (try? await page(app)) == nil { failures += 1 }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (total, failures)
    }

    func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DaemonError(message: "timed out waiting for \(what)")
    }

    /// Names of the app's containers (of any pvdifyd instance), from Podman itself.
    func containers(_ app: String) async throws -> [String] {
        try podmanOutput(["ps", "-a", "--filter", "label=pvdify.app=\(app)", "--format", "{{.Names}}"])
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    func podman(_ arguments: [String]) throws { _ = try podmanOutput(arguments) }

    /// The host ports that any container Podman knows publishes (`127.0.0.1:10000->3000/tcp`).
    func publishedHostPorts() throws -> Set<Int> {
        let listing = try podmanOutput(["ps", "-a", "--format", "{{.Ports}}"])
        return Set(listing.matches(of: /:(\d+)->/).compactMap { Int($0.1) })
    }

    func podmanOutput(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        process.arguments = ["--url", "unix://\(Self.podmanSocket!)"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs the `podman` command line on the same storage without the API socket, for the few
    /// commands the remote client lacks (`container clone`); throws when it fails.
    func localPodman(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = pipe
        try process.run()
        let errors = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DaemonError(message: "podman \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
    }

    func deleteAllApps() async throws {
        for app in try await get("/apps")["apps"]?.arrayValue ?? [] {
            if case .string(let name)? = app["name"] { _ = try? await send("DELETE", "/apps/\(name)", nil) }
        }
        try await Task.sleep(for: .seconds(3))
    }
}
