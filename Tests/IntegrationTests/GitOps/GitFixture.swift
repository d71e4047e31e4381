import Foundation
import PvdifyTestSupport

/// A bare repository served over `file://` and a work clone the test commits and pushes from.
final class GitFixture: @unchecked Sendable {
    let directory: URL
    var bare: URL { directory.appendingPathComponent("remote.git") }
    var work: URL { directory.appendingPathComponent("work") }
    var url: String { "file://" + bare.path }

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try await Self.git(["init", "--quiet", "--bare", "--initial-branch=main", bare.path], in: directory)
        try await Self.git(["init", "--quiet", "--initial-branch=main"], in: work)
        try await Self.git(["config", "user.email", "test@example.com"], in: work)
        try await Self.git(["config", "user.name", "Test"], in: work)
        try await Self.git(["remote", "add", "origin", bare.path], in: work)
    }

    /// Writes (or, with nil, deletes) files, commits and pushes to main; returns the commit.
    @discardableResult
    func commit(_ files: [String: String?], message: String = "change") async throws -> String {
        for (path, text) in files {
            let url = work.appendingPathComponent(path)
            if let text {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
        try await Self.git(["add", "-A"], in: work)
        try await Self.git(["commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try await Self.git(["push", "--quiet", "origin", "HEAD:main"], in: work)
        return try await head()
    }

    /// An annotated tag on the current commit, pushed.
    func tag(_ name: String) async throws {
        try await Self.git(["tag", "-a", name, "-m", name], in: work)
        try await Self.git(["push", "--quiet", "origin", name], in: work)
    }

    /// Reverts the last commit (`git revert`) and pushes; returns the new commit.
    @discardableResult
    func revert() async throws -> String {
        try await Self.git(["revert", "--no-edit", "HEAD"], in: work)
        try await Self.git(["push", "--quiet", "origin", "HEAD:main"], in: work)
        return try await head()
    }

    func head() async throws -> String {
        try await Self.git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
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
    static func git(_ arguments: [String], in directory: URL) async throws -> String {
        try await run("/usr/bin/git", ["-C", directory.path] + arguments)
    }

    /// Runs a program to its end; throws with its output when it fails.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        let outcome = try await ChildProcess.run(executable, arguments, environment: environment)
        guard outcome.status == 0 else {
            throw DaemonError(message: "\(executable) \(arguments.joined(separator: " ")) failed: \(outcome.output)")
        }
        return outcome.output
    }
}
