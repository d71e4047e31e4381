import Foundation
import PvdifyModel
import Testing

/// Runs the built `pvdify` binary as a user would, with its own HOME (so `login` writes there)
/// and the API URL and token in the environment unless a test says otherwise.
struct CLI: Sendable {
    let home: URL
    var environment: [String: String]

    /// What one run printed and how it exited.
    struct Result: Sendable, CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: JSONValue { (try? JSONValue.parse(json: Data(stdout.utf8))) ?? .null }
        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    func with(_ changes: [String: String?]) -> CLI {
        var copy = self
        for (key, value) in changes { copy.environment[key] = value }
        return copy
    }

    /// Runs `pvdify arguments...` to the end (killing it after `timeout`).
    func run(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> Result {
        let running = try start(arguments, stdin: stdin)
        return try await running.wait(timeout: timeout)
    }

    func run(_ arguments: String..., stdin: String? = nil) async throws -> Result {
        try await run(arguments, stdin: stdin)
    }

    /// Starts `pvdify` in the background (for `logs -f` and a followed deploy).
    func start(_ arguments: [String], stdin: String? = nil) throws -> Running {
        let directory = home.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("stdin")
        let output = directory.appendingPathComponent("stdout")
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: input.path, contents: Data((stdin ?? "").utf8))
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = Binaries.pvdify
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = Binaries.repositoryRoot
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        return Running(process: process, output: output, errors: errors)
    }

    /// A `pvdify` process started in the background.
    final class Running: @unchecked Sendable {
        let process: Process
        let output: URL
        let errors: URL

        init(process: Process, output: URL, errors: URL) {
            self.process = process
            self.output = output
            self.errors = errors
        }

        var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

        /// Waits until standard output contains `text`.
        func waitForOutput(_ text: String, timeout: Duration = .seconds(20)) async throws {
            let deadline = ContinuousClock.now + timeout
            while !stdout.contains(text) {
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("no '\(text)' in the output:\n\(stdout)\n\(stderr)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        func wait(timeout: Duration = .seconds(60)) async throws -> Result {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                guard ContinuousClock.now < deadline else {
                    process.terminate()
                    throw TestFailure("pvdify \(process.arguments ?? []) did not finish in \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
        }
    }
}

extension CLI {
    /// A CLI logged in to `daemon` through the environment.
    init(daemon: Daemon, token: String? = nil) {
        home = daemon.dataDirectory.appendingPathComponent("home-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": home.path,
            "PVDIFY_API_URL": daemon.baseURL,
            "PVDIFY_TOKEN": token ?? daemon.adminToken,
        ]
    }
}
