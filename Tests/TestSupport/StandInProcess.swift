import Foundation

/// A stand-in executable (`hack/fake-*`) as a child process: started with `--port 0`, its output
/// in a log file, and its port read from the line it prints once it listens
/// (`<banner> listening on 127.0.0.1:PORT`).
public struct StandInProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    /// The log file its standard output and error go to.
    public let output: URL

    /// Why a stand-in did not come up, with its log.
    public struct StartFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts the built product `product` (or the file `override` names) with `arguments` after
    /// `--port 0`, logging to `output`, and waits up to 10 s for its listening line.
    public static func start(
        _ product: String, override: String, banner: String, arguments: [String], output: URL
    ) async throws -> StandInProcess {
        let binary = BuiltProducts.executable(product, override: override)
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let prefix = "\(banner) listening on 127.0.0.1:"
        for _ in 0..<200 {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
               let port = Int(line.dropFirst(prefix.count))
            {
                return StandInProcess(process: process, port: port, output: output)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw StartFailed(description: "\(product) (\(binary.path)) did not start: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
    }

    /// Stops `process` without blocking a thread on it: SIGTERM, up to 2 s, then SIGKILL.
    public static func stop(_ process: Process) async {
        if process.isRunning { process.terminate() }
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
