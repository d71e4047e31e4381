import Foundation
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// A source's private folder under `<data-dir>/sources/<name>/` (0700): the shallow clone in
/// `repo/`, and, only while git runs, the credential files in `auth/` (0600).
struct SourceWorkspace {
    let root: URL
    let git: GitRunner
    /// `repo` for syncs; a throwaway folder for each dry run.
    let folder: String

    var repository: URL { root.appendingPathComponent(folder) }
    var auth: URL { root.appendingPathComponent("auth") }

    init(dataDirectory: URL, source: String, git: GitRunner, folder: String = "repo") {
        root = dataDirectory.appendingPathComponent("sources").appendingPathComponent(source)
        self.git = git
        self.folder = folder
    }

    /// The commit the spec's ref names on the remote: one `git ls-remote`, or none for a fixed commit.
    func remoteRevision(_ spec: SourceSpec, credentials: SourceCredentials) async throws -> String {
        guard let ref = spec.ref.refName else {
            if case .commit(let sha) = spec.ref { return sha }
            throw GitError.failed("no ref")
        }
        let output = try await withCredentials(credentials) { environment in
            try await git.run(.lsRemote(url: spec.url, ref: ref), environment: environment, scratch: auth)
        }
        guard let sha = GitCommand.parseLsRemote(output, ref: ref), Rules.commitID(sha) == nil else {
            throw GitError.failed("\(spec.ref.description) not found on the remote")
        }
        return sha
    }

    /// Puts the work tree at `revision`, fetching (shallow) only when the clone does not have it.
    func checkout(_ spec: SourceSpec, revision: String, credentials: SourceCredentials) async throws {
        try prepare()
        let repo = repository.path
        let environment = try baseEnvironment(askpass: nil, sshKey: nil)
        if !FileManager.default.fileExists(atPath: repository.appendingPathComponent(".git").path) {
            try await git.run(.initRepository(repo), environment: environment, scratch: auth)
        }
        let local = try? await git.run(.commit(repo, of: revision), environment: environment, scratch: auth)
        if local?.trimmingCharacters(in: .whitespacesAndNewlines) != revision {
            let what = spec.ref.refName ?? revision
            try await withCredentials(credentials) { environment in
                try await git.run(.fetch(repo, url: spec.url, what: what), environment: environment, scratch: auth)
            }
            let fetched = try await git.run(.commit(repo, of: "FETCH_HEAD"), environment: environment, scratch: auth)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            // The branch may have moved between ls-remote and fetch: apply what was fetched only
            // if it is the commit asked for, so status never names a commit that was not applied.
            guard fetched == revision else { throw GitError.failed("the remote moved during the fetch; retrying on the next poll") }
        }
        try await git.run(.checkout(repo, commit: revision), environment: environment, scratch: auth)
        try await git.run(.clean(repo), environment: environment, scratch: auth)
    }

    /// Starts over from an empty clone (after a fetch into a damaged one failed).
    func resetRepository() {
        try? FileManager.default.removeItem(at: repository)
    }

    /// Removes the whole folder (the source was deleted).
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    func prepare() throws {
        for directory in [root.deletingLastPathComponent(), root, auth] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            chmod(directory.path, 0o700)
        }
    }

    func baseEnvironment(askpass: String?, sshKey: String?) throws -> GitEnvironment {
        GitEnvironment.make(
            path: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            home: auth.path, askpass: askpass, sshKey: sshKey, knownHosts: auth.appendingPathComponent("known_hosts").path)
    }

    /// Writes the credential files (0600) for one git run and removes them afterwards.
    func withCredentials<T: Sendable>(
        _ credentials: SourceCredentials, _ body: (GitEnvironment) async throws -> T
    ) async throws -> T {
        try prepare()
        let files = ["username", "password", "askpass", "id", "known_hosts"].map { auth.appendingPathComponent($0) }
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        var askpass: String?
        let secret = credentials.password ?? credentials.token
        if let secret {
            try PrivateFile.write(credentials.username ?? "x-access-token", to: files[0])
            try PrivateFile.write(secret, to: files[1])
            try PrivateFile.write(GitEnvironment.askpassScript(usernameFile: files[0].path, passwordFile: files[1].path), to: files[2])
            chmod(files[2].path, 0o700)
            askpass = files[2].path
        }
        var sshKey: String?
        if let key = credentials.sshPrivateKey {
            try PrivateFile.write(key.hasSuffix("\n") ? key : key + "\n", to: files[3])
            sshKey = files[3].path
        }
        try PrivateFile.write(credentials.knownHosts.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" } ?? "", to: files[4])
        return try await body(try baseEnvironment(askpass: askpass, sshKey: sshKey))
    }
}
