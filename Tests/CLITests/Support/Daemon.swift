import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyStore
import PvdifyTestSupport

/// A real `pvdifyd` on a loopback port with its own data directory, without Podman (so no
/// containers run and releases stay `deploying` unless a test says otherwise).
final class Daemon: @unchecked Sendable {
    let dataDirectory: URL
    let port: Int
    private var process: Process?
    private var output = URL(fileURLWithPath: "/dev/null")

    init() {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-cli-\(UUID().uuidString)")
        port = Loopback.claimPort(in: 20_000...21_999)  // below the ephemeral range
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a daemon and waits until `/health` answers (trying another port if one is taken).
    static func start() async throws -> Daemon {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let daemon = Daemon()
            do {
                try await daemon.start()
                return daemon
            } catch {
                lastError = error
                daemon.stop()
            }
        }
        throw lastError!
    }

    func start() async throws {
        let process = Process()
        process.executableURL = Binaries.pvdifyd
        process.arguments = [
            "--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory.path, "--caddy-admin", "off",
            "--podman-socket", "off", "--rate-limit", "100000",
        ]
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        output = dataDirectory.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        for _ in 0..<300 {
            if let reply = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(baseURL)/health"), timeout: .seconds(2)),
               reply.status.code == 200 {
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("pvdifyd did not start: \(log)")
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    var adminToken: String {
        ((try? String(contentsOf: dataDirectory.appendingPathComponent("admin-token"), encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The daemon's own store, opened beside it, to play the reconciler's part (mark a release
    /// active or failed, write its deploy log), since no containers run in these tests.
    func openStore() throws -> Store {
        try Store(dataDirectory: dataDirectory, secrets: try SecretBox.load(dataDirectory: dataDirectory, environmentKey: nil))
    }

    /// Kills the daemon (a graceful stop is not what these tests check) and removes its data. The
    /// wait for a SIGKILLed process is short, so it may block the caller's thread: this runs in
    /// `defer`, which cannot await, and a SIGTERM's graceful drain would hold a thread of the
    /// test's small concurrency pool for a second or more.
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

/// A failure of the test set-up itself.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
