import Foundation
import NIOConcurrencyHelpers

/// The one place `git` runs: a built `GitCommand` with a `GitEnvironment`, output captured in
/// files in a private directory, a deadline, and the failure classified.
public struct GitRunner: Sendable {
    public let executable: URL
    public let timeout: Duration

    /// The transports git may use (`GIT_ALLOW_PROTOCOL`, which overrides every other setting);
    /// nil: those `GitCommand` allows.
    public let allowedProtocols: [String]?

    /// Told of every command before it runs (to count them); nil: nobody is.
    public let observer: (@Sendable (GitCommand) -> Void)?

    public init(
        executable: URL = URL(fileURLWithPath: "/usr/bin/git"), timeout: Duration = .seconds(120), allowedProtocols: [String]? = nil,
        observer: (@Sendable (GitCommand) -> Void)? = nil
    ) {
        self.executable = executable
        self.timeout = timeout
        self.allowedProtocols = allowedProtocols
        self.observer = observer
    }

    /// Runs the command; answers its standard output, or throws `GitError`.
    @discardableResult
    public func run(_ command: GitCommand, environment: GitEnvironment, scratch: URL) async throws -> String {
        observer?(command)
        let id = UUID().uuidString
        let stdoutURL = scratch.appendingPathComponent("git-\(id).out")
        let stderrURL = scratch.appendingPathComponent("git-\(id).err")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = command.arguments
        var variables = environment.variables
        if let allowedProtocols { variables["GIT_ALLOW_PROTOCOL"] = allowedProtocols.joined(separator: ":") }
        process.environment = variables
        process.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: stdoutURL)
        let err = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = out
        process.standardError = err
        // Set when the child has exited, so the deadline never signals a reused pid.
        let exited = NIOLockedValueBox(false)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                exited.withLockedValue { $0 = true }
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: GitError.failed("cannot run git: \(error)"))
                return
            }
            let pid = process.processIdentifier
            let deadline = timeout
            Task {
                try? await Task.sleep(for: deadline)
                exited.withLockedValue { done in
                    if !done { kill(pid, SIGKILL) }
                }
            }
        }
        try? out.close()
        try? err.close()
        let output = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw GitError.classify(status: status, stderr: stderr)
        }
        return output
    }
}
