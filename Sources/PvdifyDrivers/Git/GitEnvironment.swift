/// The environment `git` runs with: nothing inherited but `PATH`, no system or user config, no
/// prompts, and credentials only through files only pvdifyd can read (an askpass helper that
/// reads them; an SSH key and pinned known_hosts with strict host key checking, always).
public struct GitEnvironment: Sendable, Equatable {
    public var variables: [String: String]

    /// - Parameters:
    ///   - home: a private directory (0700) for this source's credential files.
    ///   - askpass: the helper script, when HTTP credentials are set.
    ///   - sshKey / knownHosts: files, for ssh:// URLs.
    public static func make(path: String, home: String, askpass: String?, sshKey: String?, knownHosts: String) -> GitEnvironment {
        var variables = [
            "PATH": path,
            "HOME": home,
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PROTOCOL_FROM_USER": "0",
        ]
        if let askpass { variables["GIT_ASKPASS"] = askpass }
        var ssh = [
            "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=" + quote(knownHosts), "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=20",
        ]
        if let sshKey { ssh += ["-i", quote(sshKey)] }
        variables["GIT_SSH_COMMAND"] = ssh.joined(separator: " ")
        return GitEnvironment(variables: variables)
    }

    /// Single-quoted for the shell git runs `GIT_SSH_COMMAND` through.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The askpass helper: git asks "Username for ..." or "Password for ..."; the answers come
    /// from files next to the script, never from its arguments or environment.
    public static func askpassScript(usernameFile: String, passwordFile: String) -> String {
        """
        #!/bin/sh
        case "$1" in
          Username*) exec cat \(quote(usernameFile)) ;;
          *) exec cat \(quote(passwordFile)) ;;
        esac

        """
    }
}
