import AsyncHTTPClient
import Foundation
import PvdifyModel
import Testing

/// The route reconciler against a real Caddy and real containers.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available && CaddyProcess.available))
struct RouteIntegrationTests {
    /// A request through Caddy's HTTP port with a Host header; status and body.
    static func viaCaddy(_ caddy: CaddyProcess, host: String, path: String = "/") async throws -> HTTP.Reply {
        try await HTTP.request("GET", "http://127.0.0.1:\(caddy.httpPort)\(path)", host: host)
    }

    @Test func hostsDomainsTLSPagesAndDrift() async throws {
        let caddy = CaddyProcess()
        try await caddy.start()
        defer { Task { await caddy.cleanUp() } }
        let originalOther = try await HTTP.request("GET", "\(caddy.adminURL)/config/apps/http/servers/other").body
        try await ContainerEnvironment.withDaemon(caddy: caddy) { env in
            let app = env.uniqueApp("route")
            let idle = env.uniqueApp("idle")
            try await env.create(app)
            try await env.create(idle)
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s"}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            try await env.waitUntil("routed") {
                try await Self.viaCaddy(caddy, host: "\(app).pvdify.test").body.contains("version: 1")
            }

            let unavailable = try await Self.viaCaddy(caddy, host: "\(idle).pvdify.test")
            #expect(unavailable.status == 503)
            #expect(unavailable.body.contains("\(idle) is not running"))
            let nobody = try await Self.viaCaddy(caddy, host: "nobody.pvdify.test")
            #expect(nobody.status == 404)
            #expect(nobody.body.contains("No app"))

            // A custom domain: routed, certificate served by Caddy's local CA, status active with ssl.
            let domain = "\(app).example.test"
            try await env.send("POST", "/apps/\(app)/domains", #"{"name":"\#(domain)"}"#)
            try await env.waitUntil("the domain routed") {
                try await Self.viaCaddy(caddy, host: domain).status == 200
            }
            try await env.waitUntil("the domain active with TLS", timeout: .seconds(30)) {
                let domains = try await env.get("/apps/\(app)/domains")["domains"]?.arrayValue ?? []
                return domains.first?["status"] == "active" && domains.first?["ssl"] == .bool(true)
            }
            let root = try await HTTP.request("GET", "\(caddy.adminURL)/pki/ca/local").body
            let pem = try JSONValue.parse(json: Data(root.utf8))["root_certificate"]?.stringValue ?? ""
            let caFile = caddy.directory.appendingPathComponent("root.pem")
            try pem.write(to: caFile, atomically: true, encoding: .utf8)
            for host in [domain, "\(app).pvdify.test"] {
                let tls = try caddy.curl([
                    "-s", "--cacert", caFile.path, "--resolve", "\(host):\(caddy.httpsPort):127.0.0.1",
                    "https://\(host):\(caddy.httpsPort)/",
                ])
                #expect(tls.status == 0, "TLS handshake for \(host): \(tls.output)")
                #expect(tls.output.contains("version: 1"))
            }
            try await env.send("DELETE", "/apps/\(app)/domains/\(domain)", nil)
            try await env.waitUntil("the domain unrouted") { try await Self.viaCaddy(caddy, host: domain).status == 404 }

            // Unrelated config is left exactly as it was.
            #expect(try await HTTP.request("GET", "\(caddy.adminURL)/config/apps/http/servers/other").body == originalOther)
            #expect(try await HTTP.request("GET", "http://127.0.0.1:\(caddy.otherPort)/").body == "other server")

            // A route deleted by hand comes back within a resync.
            let deleted = try await HTTP.request("DELETE", "\(caddy.adminURL)/id/pvdify-http-app-\(app)")
            #expect(deleted.status == 200)
            #expect(try await Self.viaCaddy(caddy, host: "\(app).pvdify.test").status == 404)
            try await env.waitUntil("the route restored", timeout: .seconds(15)) {
                try await Self.viaCaddy(caddy, host: "\(app).pvdify.test").status == 200
            }

            // Caddy down: the API answers, the app says why routes are not ready; back: restored.
            await caddy.stop()
            try await env.waitUntil("RoutesReady=False", timeout: .seconds(20)) {
                let conditions = try await env.get("/apps/\(app)")["conditions"]?.arrayValue ?? []
                return conditions.contains { $0["type"] == "RoutesReady" && $0["status"] == "False" && $0["reason"] == "CaddyUnavailable" }
            }
            try await caddy.start()  // restarted with its base config: nothing of pvdify's
            try await env.waitUntil("routes restored after a restart", timeout: .seconds(20)) {
                (try? await Self.viaCaddy(caddy, host: "\(app).pvdify.test").status) == 200
            }
            #expect(try await Self.viaCaddy(caddy, host: "\(idle).pvdify.test").status == 503)
            try await env.deleteAllApps()
        }
    }

    @Test func zeroDowntimeAcrossDeployRollbackScaleAndRestart() async throws {
        let caddy = CaddyProcess()
        try await caddy.start()
        defer { Task { await caddy.cleanUp() } }
        try await ContainerEnvironment.withDaemon(caddy: caddy) { env in
            let app = env.uniqueApp("steady")
            let host = "\(app).pvdify.test"
            try await env.create(app)
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s"},"processes":{"web":{"count":2}}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            try await env.waitUntil("routed") { try await Self.viaCaddy(caddy, host: host).status == 200 }

            let loop = RequestLoop(caddy: caddy, host: host)
            let running = Task { await loop.run(maxRequests: 20_000, maxDuration: .seconds(240)) }

            try await env.deploy(app, tag: "v2")
            try await env.waitForRelease(app, version: 2, status: "active")
            try await env.waitUntil("v1 instances gone") { try await env.containers(app).count == 2 }
            _ = try await env.send("POST", "/apps/\(app)/rollback", nil)
            try await env.waitForRelease(app, version: 3, status: "active")
            try await env.waitUntil("v2 instances gone") { try await env.containers(app).count == 2 }
            _ = try await env.send("POST", "/apps/\(app)/ps/scale", #"{"web":1}"#)
            try await env.waitUntil("scaled to one") { try await env.containers(app).count == 1 }
            let before = Set(try await env.containers(app))
            _ = try await env.send("POST", "/apps/\(app)/ps/restart", nil)
            try await env.waitUntil("restarted", timeout: .seconds(60)) {
                let now = Set(try await env.containers(app))
                return now.count == 1 && now.isDisjoint(with: before)
            }
            try await Task.sleep(for: .seconds(1))
            await loop.stop()
            let result = await running.value
            #expect(result.total > 100, "the loop ran: \(result)")
            #expect(result.failures.isEmpty, "failed or non-2xx answers: \(result.failures.prefix(5))")
            print("zero-downtime loop: \(result.total) requests, \(result.failures.count) failed, \(result.resets) connection resets retried")
            #expect(try await Self.viaCaddy(caddy, host: host).body.contains("version: 1"))
            try await env.deleteAllApps()
        }
    }
}

/// Connection resets retried by the request loop.
actor ResetCounter {
    private(set) var count = 0
    func add() { count += 1 }
}

/// Requests through Caddy, two at a time, until stopped or bounded by count and time.
actor RequestLoop {
    let caddy: CaddyProcess
    let host: String
    private var stopped = false

    init(caddy: CaddyProcess, host: String) {
        self.caddy = caddy
        self.host = host
    }

    func stop() { stopped = true }
    var isStopped: Bool { stopped }

    let resets = ResetCounter()

    func run(maxRequests: Int, maxDuration: Duration) async -> (total: Int, failures: [String], resets: Int) {
        let deadline = ContinuousClock.now + maxDuration
        var total = 0
        var failures: [String] = []
        while !stopped, total < maxRequests, ContinuousClock.now < deadline {
            async let first = Self.one(caddy, host, counter: resets)
            async let second = Self.one(caddy, host, counter: resets)
            for answer in await [first, second] {
                total += 1
                if let answer { failures.append("\(Date().formatted(.iso8601.time(includingFractionalSeconds: true))) \(answer)") }
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return (total, failures, await resets.count)
    }

    /// nil on a 2xx, else what happened. At the instant Caddy swaps its config, a TCP connection
    /// can be reset before any answer (Caddy's own reload, not the app); browsers retry such a GET
    /// by themselves, so this client retries it once too, and counts it. Any answer that is not
    /// 2xx, or a second failure, is a failure.
    static func one(_ caddy: CaddyProcess, _ host: String, counter: ResetCounter) async -> String? {
        for attempt in 1...2 {
            do {
                let reply = try await HTTP.request("GET", "http://127.0.0.1:\(caddy.httpPort)/", host: host, closeConnection: true)
                return (200..<300).contains(reply.status) ? nil : "status \(reply.status): \(reply.body.prefix(100))"
            } catch {
                let text = "\(error)"
                let reset = text.contains("Connection reset") || text.contains("remoteConnectionClosed")
                if attempt == 1, reset {
                    await counter.add()
                    continue
                }
                return text
            }
        }
        return nil
    }
}
