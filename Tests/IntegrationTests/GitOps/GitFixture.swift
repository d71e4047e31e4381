import Foundation

/// A bare repository served over `file://` and a work clone the test commits and pushes from.
final class GitFixture: @unchecked Sendable {
    let directory: URL
    var bare: URL { directory.appendingPathComponent("remote.git") }
    var work: URL { directory.appendingPathComponent("work") }
    var url: String { "file://" + bare.path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Self.git(["init", "--quiet", "--bare", "--initial-branch=main", bare.path], in: directory)
        try Self.git(["init", "--quiet", "--initial-branch=main"], in: work)
        try Self.git(["config", "user.email", "test@example.com"], in: work)
        try Self.git(["config", "user.name", "Test"], in: work)
        try Self.git(["remote", "add", "origin", bare.path], in: work)
    }

    /// Writes (or, with nil, deletes) files, commits and pushes to main; returns the commit.
    @discardableResult
    func commit(_ files: [String: String?], message: String = "change") throws -> String {
        for (path, text) in files {
            let url = work.appendingPathComponent(path)
            if let text {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
        try Self.git(["add", "-A"], in: work)
        try Self.git(["commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try Self.git(["push", "--quiet", "origin", "HEAD:main"], in: work)
        return try head()
    }

    /// An annotated tag on the current commit, pushed.
    func tag(_ name: String) throws {
        try Self.git(["tag", "-a", name, "-m", name], in: work)
        try Self.git(["push", "--quiet", "origin", name], in: work)
    }

    func head() throws -> String {
        try Self.git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// An App manifest.
    static func app(_ name: String, image: String = "127.0.0.1:5000/pvdify-test:v1", count: Int = 1) -> String {
        """
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: \(name)}
        spec:
          image: \(image)
          processes:
            web: {count: \(count)}

        """
    }

    @discardableResult
    static func git(_ arguments: [String], in directory: URL) throws -> String {
        try run("/usr/bin/git", ["-C", directory.path] + arguments)
    }

    /// Runs a program to its end; throws with its output when it fails. Spawned and waited for
    /// directly (posix_spawn, waitpid): with a long-running server started by `Process` beside it,
    /// `Process.waitUntilExit` was seen to miss a short child's exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-git-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else {
            throw DaemonError(message: "cannot run \(executable)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw DaemonError(message: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
