import Foundation
import PvdifyTestSupport
import PvdifyModel

/// A real `pvdifyd` without Podman and Caddy (`--podman-socket off --caddy-admin off`), resyncing every
/// second, with `CLOUDFLARE_API_TOKEN` and `--cloudflare-api-url` pointing at a stand-in (or no token).
final class DNSDaemon: @unchecked Sendable {
    let adminToken = "pvd_dns_\(UUID().uuidString.lowercased().prefix(12))"
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdifyd-dns-\(UUID().uuidString)")
    let port: Int
    let arguments: [String]
    let cloudflareToken: String?
    private var process: Process?
    private var output: URL { dataDirectory.appendingPathComponent("daemon.log") }

    var api: String { "http://127.0.0.1:\(port)/api/v1" }

    /// - Parameters:
    ///   - cloudflare: the stand-in the daemon's Cloudflare URL points at.
    ///   - cloudflareToken: `CLOUDFLARE_API_TOKEN`, or nil to leave DNS unmanaged.
    init(cloudflare: FakeCloudflareServer?, cloudflareToken: String?, dnsTarget: String? = "lb.example.net") throws {
        port = try Loopback.freePort()
        self.cloudflareToken = cloudflareToken
        // Tests poll the API often: above the default 100 requests a minute.
        var arguments = ["--podman-socket", "off", "--caddy-admin", "off", "--resync-interval", "1s", "--rate-limit", "100000"]
        if let cloudflare { arguments += ["--cloudflare-api-url", cloudflare.apiURL.absoluteString] }
        if let dnsTarget { arguments += ["--dns-target", dnsTarget] }
        self.arguments = arguments
    }

    /// Starts the daemon and waits until `/health` answers.
    func start() async throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = BuiltProducts.executable("pvdifyd", override: "PVDIFYD_BIN")
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PVDIFY_BOOTSTRAP_TOKEN"] = adminToken
        environment["CLOUDFLARE_API_TOKEN"] = cloudflareToken
        // Never reach a real API from a test, whatever the caller's environment says.
        environment["PVDIFY_CLOUDFLARE_API_URL"] = "http://127.0.0.1:9/client/v4"
        environment["PVDIFY_DNS_TARGET"] = nil
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if (try? await HTTPCalls.send("GET", "http://127.0.0.1:\(port)/health"))?.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SetupError("pvdifyd did not start: \(log)")
    }

    /// Kills the daemon and waits for the exit. These tests do not check a graceful stop, and
    /// this runs in `defer`, which cannot await: a SIGTERM's drain would hold a thread of the
    /// tests' small concurrency pool for as long as it takes, where a SIGKILL ends at once.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the daemon and removes its data.
    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// An API call with the admin token; throws unless it succeeds.
    @discardableResult
    func call(_ method: String, _ path: String, _ json: String? = nil) async throws -> JSONValue {
        let reply = try await HTTPCalls.send(method, api + path, bearer: adminToken, json: json)
        guard (200..<300).contains(reply.status) else { throw SetupError("\(method) \(path): \(reply.status) \(reply.body)") }
        return reply.json
    }

    /// The domain as `GET /apps/{app}/domains` shows it.
    func domain(_ app: String, _ name: String) async throws -> JSONValue? {
        try await call("GET", "/apps/\(app)/domains")["domains"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    /// The app's `DNSReady` condition.
    func dnsCondition(_ app: String) async throws -> JSONValue? {
        try await call("GET", "/apps/\(app)")["conditions"]?.arrayValue?.first { $0["type"] == "DNSReady" }
    }
}
