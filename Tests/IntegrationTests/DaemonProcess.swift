import AsyncHTTPClient
import Foundation
import PvdifyTestSupport
import NIOCore
import Testing

/// A real `pvdifyd` process on a loopback port with its own data directory.
final class DaemonProcess: @unchecked Sendable {
    let dataDirectory: URL
    let port: Int
    let environment: [String: String]
    let extraArguments: [String]
    private(set) var process: Process?
    private(set) var output = URL(fileURLWithPath: "/dev/null")

    static var binary: URL { BuiltProducts.executable("pvdifyd", override: "PVDIFYD_BIN") }

    /// `arguments` default to running without Podman (API-only tests).
    init(environment: [String: String] = [:], arguments: [String] = ["--podman-socket", "off"]) {
        extraArguments = arguments
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdifyd-it-\(UUID().uuidString)")
        port = Loopback.claimPort(in: 22_000...27_999)  // below the ephemeral range
        self.environment = environment
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the daemon and waits until `/health` answers.
    func start() async throws {
        let process = Process()
        process.executableURL = Self.binary
        let caddy = extraArguments.contains("--caddy-admin") ? [] : ["--caddy-admin", "off"]
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory.path] + caddy + extraArguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        output = dataDirectory.appendingPathComponent("daemon-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        // Short probes: the HTTP client retries a refused connection until the request's
        // timeout, so a long one would outlast a daemon that exits at once on a bad flag.
        for _ in 0..<200 {
            guard process.isRunning else { break }
            if (try? await HTTP.request("GET", "\(baseURL)/health", timeout: .milliseconds(500)))?.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError(message: "pvdifyd did not start: \(log)")
    }

    /// Sends a signal and waits (up to `timeout`) for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(15)) async throws -> Int32 {
        guard let process else { return 0 }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw DaemonError(message: "pvdifyd did not exit after signal \(signal)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        self.process = nil
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    var adminToken: String {
        ((try? String(contentsOf: dataDirectory.appendingPathComponent("admin-token"), encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func cleanUp() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Small HTTP helper over AsyncHTTPClient's shared client.
enum HTTP {
    struct Reply {
        let status: UInt
        let body: String
        let headers: [(String, String)]
    }

    static func request(
        _ method: String, _ url: String, token: String? = nil, json: String? = nil, host: String? = nil,
        closeConnection: Bool = false, timeout: Duration = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let host { request.headers.replaceOrAdd(name: "Host", value: host) }
        if closeConnection { request.headers.add(name: "Connection", value: "close") }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: response.status.code, body: String(buffer: body), headers: response.headers.map { ($0.name, $0.value) })
    }
}
