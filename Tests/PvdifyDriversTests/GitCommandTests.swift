import Foundation
import Synchronization
import Testing
@testable import PvdifyDrivers

/// The git commands and environment are built as values: checked here exactly as they run.
@Suite struct GitCommandTests {
    @Test func lsRemoteAsksForTheRefAndItsPeeledCommit() {
        let command = GitCommand.lsRemote(url: "https://git.example.com/org/repo.git", ref: "refs/tags/v1")
        #expect(command.arguments.suffix(5) == ["ls-remote", "--exit-code", "https://git.example.com/org/repo.git", "refs/tags/v1", "refs/tags/v1^{}"])
        #expect(command.arguments.starts(with: ["-c", "credential.helper="]))
        #expect(command.arguments.contains("core.symlinks=false"))
        #expect(command.arguments.contains("protocol.allow=never"))
    }

    @Test func fetchIsShallowAndTakesNoTagsOrSubmodules() {
        let command = GitCommand.fetch("/data/sources/p/repo", url: "file:///srv/r.git", what: "refs/heads/main")
        #expect(command.arguments.suffix(10) == [
            "-C", "/data/sources/p/repo", "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--depth", "1",
            "file:///srv/r.git", "refs/heads/main",
        ])
    }

    @Test func eachCommandNamesItsSubcommand() {
        let repo = "/data/sources/p/repo"
        #expect(GitCommand.lsRemote(url: "file:///srv/r.git", ref: "refs/heads/main").subcommand == "ls-remote")
        #expect(GitCommand.fetch(repo, url: "file:///srv/r.git", what: "refs/heads/main").subcommand == "fetch")
        #expect(GitCommand.initRepository(repo).subcommand == "init")
        #expect(GitCommand.commit(repo, of: "HEAD").subcommand == "rev-parse")
        #expect(GitCommand.checkout(repo, commit: String(repeating: "a", count: 40)).subcommand == "checkout")
        #expect(GitCommand.clean(repo).subcommand == "clean")
    }

    @Test func parsesLsRemotePreferringThePeeledTag() {
        let output = "1111111111111111111111111111111111111111\trefs/tags/v1\n2222222222222222222222222222222222222222\trefs/tags/v1^{}\n"
        #expect(GitCommand.parseLsRemote(output, ref: "refs/tags/v1") == String(repeating: "2", count: 40))
        #expect(GitCommand.parseLsRemote("3333333333333333333333333333333333333333\trefs/heads/main\n", ref: "refs/heads/main") == String(repeating: "3", count: 40))
        #expect(GitCommand.parseLsRemote("", ref: "refs/heads/main") == nil)
    }

    @Test func theEnvironmentHoldsNoCredentialAndChecksHostKeysStrictly() {
        let environment = GitEnvironment.make(
            path: "/usr/bin:/bin", home: "/data/sources/p/auth", askpass: "/data/sources/p/auth/askpass",
            sshKey: "/data/sources/p/auth/id", knownHosts: "/data/sources/p/auth/known_hosts")
        #expect(environment.variables["GIT_TERMINAL_PROMPT"] == "0")
        #expect(environment.variables["GIT_CONFIG_NOSYSTEM"] == "1")
        #expect(environment.variables["GIT_ASKPASS"] == "/data/sources/p/auth/askpass")
        let ssh = environment.variables["GIT_SSH_COMMAND"] ?? ""
        for option in ["StrictHostKeyChecking=yes", "IdentitiesOnly=yes", "BatchMode=yes", "UserKnownHostsFile='/data/sources/p/auth/known_hosts'", "-i '/data/sources/p/auth/id'"] {
            #expect(ssh.contains(option), "\(ssh)")
        }
        #expect(Set(environment.variables.keys).isSubset(of: [
            "PATH", "HOME", "LANG", "LC_ALL", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_TERMINAL_PROMPT",
            "GIT_PROTOCOL_FROM_USER", "GIT_ASKPASS", "GIT_SSH_COMMAND",
        ]))
    }

    @Test func quotesPathsForTheShell() {
        #expect(GitEnvironment.quote("/a b/it's") == #"'/a b/it'\''s'"#)
    }

    @Test func classifiesAuthenticationFailures() {
        #expect(GitError.classify(status: 128, stderr: "fatal: Authentication failed for 'http://127.0.0.1/r.git/'\n")
            == .authenticationFailed("fatal: Authentication failed for 'http://127.0.0.1/r.git/'"))
        #expect(GitError.classify(status: 128, stderr: "Host key verification failed.\nfatal: Could not read from remote repository.\n")
            == .authenticationFailed("Host key verification failed."))
        #expect(GitError.classify(status: 128, stderr: "fatal: '/nope' does not appear to be a git repository\n")
            == .failed("fatal: '/nope' does not appear to be a git repository"))
    }

    @Test func theRunnerCapturesOutputAndFailures() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("git-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = GitEnvironment.make(path: "/usr/bin:/bin", home: scratch.path, askpass: nil, sshKey: nil, knownHosts: "/dev/null")
        let ran = Mutex<[String]>([])
        let runner = GitRunner(observer: { command in ran.withLock { $0.append(command.subcommand) } })
        let repo = scratch.appendingPathComponent("r").path
        try await runner.run(.initRepository(repo), environment: environment, scratch: scratch)
        await #expect(throws: GitError.self) {
            try await runner.run(.lsRemote(url: "file://" + scratch.appendingPathComponent("missing").path, ref: "refs/heads/main"), environment: environment, scratch: scratch)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["r"])
        #expect(ran.withLock { $0 } == ["init", "ls-remote"])
    }
}
