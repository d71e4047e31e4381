import Foundation
import PvdifyTestSupport

/// A real Caddy for tests: admin API on 127.0.0.1, its local CA not installed into the system
/// trust store, plus an unrelated server pvdify must leave alone.
final class CaddyProcess: @unchecked Sendable {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/caddy") }

    let directory: URL
    // Below Linux's ephemeral range (32768-60999), so no outgoing connection holds one.
    let adminPort = Loopback.claimPort(in: 28_000...28_999)
    let otherPort = Loopback.claimPort(in: 29_000...29_999)
    let httpPort = Loopback.claimPort(in: 30_000...30_999)
    let httpsPort = Loopback.claimPort(in: 31_000...31_999)
    private var process: Process?

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-caddy-\(UUID().uuidString)")
    }

    var adminURL: String { "http://127.0.0.1:\(adminPort)" }

    /// The config Caddy starts with (and restarts with, "empty" of pvdify's part).
    var baseConfig: String {
        """
        {"admin":{"listen":"127.0.0.1:\(adminPort)"},
         "apps":{"pki":{"certificate_authorities":{"local":{"install_trust":false}}},
                 "http":{"servers":{"other":{"listen":["127.0.0.1:\(otherPort)"],
                   "routes":[{"handle":[{"handler":"static_response","body":"other server"}]}]}}}}}
        """
    }

    func start() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("base.json")
        try baseConfig.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/caddy")
        process.arguments = ["run", "--config", config.path]
        process.environment = [
            "XDG_DATA_HOME": directory.appendingPathComponent("data").path,
            "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
            "HOME": directory.path, "PATH": "/usr/bin:/bin",
        ]
        let log = directory.appendingPathComponent("caddy.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if (try? await HTTP.request("GET", "\(adminURL)/config/"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError(message: "caddy did not start")
    }

    func stop() async {
        guard let process else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        self.process = nil
    }

    func cleanUp() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs curl (for TLS checks with SNI and a CA file).
    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
