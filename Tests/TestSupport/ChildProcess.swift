import Foundation

/// Short programs a test runs to their end (git, ssh-keygen), awaited without blocking a Swift
/// concurrency thread: on two cores a blocking wait can hold the whole cooperative pool.
///
/// Spawned with `posix_spawn` and reaped with `waitpid` on their own pid, not through `Process`:
/// with a long-running server started by `Process` beside them, `Process` was seen to miss a
/// short child's exit.
public enum ChildProcess {
    /// How a program ended: its exit status (0: success) and its standard output and error, merged.
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    /// Runs `executable` with `arguments` and `environment`, standard input from /dev/null.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Outcome {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-child-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let pid = try spawn(executable, arguments, environment: environment, output: log.path)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
            try await Task.sleep(for: .milliseconds(5))
        }
        return Outcome(status: status, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .ENOENT) }
        return pid
    }
}
