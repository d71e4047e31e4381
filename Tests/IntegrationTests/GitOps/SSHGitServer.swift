import Foundation

/// `sshd` on a 127.0.0.1 port with a throwaway host key, letting one generated client key in as
/// the current user.
final class SSHGitServer: @unchecked Sendable {
    let directory: URL
    let port: Int
    private var server: ServerProcess?
    /// The `known_hosts` line that pins this server's host key.
    let knownHostsLine: String
    /// The client's private key (OpenSSH format).
    let clientKey: String

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-ssh-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = ServerProcess.freePort()
        let hostKey = directory.appendingPathComponent("host_ed25519")
        let client = directory.appendingPathComponent("client_ed25519")
        try await GitFixture.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pvdify-test", "-f", hostKey.path])
        try await GitFixture.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pvdify-test", "-f", client.path])
        let hostPublic = try String(contentsOf: URL(fileURLWithPath: hostKey.path + ".pub"), encoding: .utf8).split(separator: " ")
        knownHostsLine = "[127.0.0.1]:\(port) \(hostPublic[0]) \(hostPublic[1])"
        clientKey = try String(contentsOf: client, encoding: .utf8)
        try FileManager.default.copyItem(atPath: client.path + ".pub", toPath: directory.appendingPathComponent("authorized_keys").path)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey.path)
            PidFile \(directory.path)/sshd.pid
            AuthorizedKeysFile \(directory.path)/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no

            """
        let configFile = directory.appendingPathComponent("sshd_config")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        // sshd insists on its privilege separation directory.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        server = try ServerProcess("/usr/sbin/sshd", ["-D", "-e", "-f", configFile.path], log: directory.appendingPathComponent("sshd.log"))
        try await ServerProcess.waitForPort(port)
    }

    /// A URL reaching a repository on this machine's file system as the current user.
    func url(_ path: String) -> String { "ssh://\(NSUserName())@127.0.0.1:\(port)\(path)" }

    /// Another host key's pin, for the wrong-pin case.
    func otherPin() async throws -> String {
        let other = directory.appendingPathComponent("other_ed25519")
        try await GitFixture.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "other", "-f", other.path])
        let parts = try String(contentsOf: URL(fileURLWithPath: other.path + ".pub"), encoding: .utf8).split(separator: " ")
        return "[127.0.0.1]:\(port) \(parts[0]) \(parts[1])"
    }

    var log: String { server?.output ?? "" }

    func stop() async {
        await server?.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
