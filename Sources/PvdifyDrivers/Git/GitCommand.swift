/// One `git` invocation as a pure value: the arguments, built here and nowhere else, so tests
/// can check exactly what runs. URLs and refs are validated by the model before they get here;
/// no credential is ever an argument.
public struct GitCommand: Sendable, Equatable {
    public var arguments: [String]

    /// Options every run gets: no credential helpers, no hooks, symlinks checked out as plain
    /// files (a link in a repository can never point the reader outside it), no transport but
    /// the four a Source URL may name.
    static let safety = [
        "-c", "credential.helper=", "-c", "core.hooksPath=/dev/null", "-c", "core.symlinks=false",
        "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "protocol.http.allow=always",
        "-c", "protocol.https.allow=always", "-c", "protocol.ssh.allow=always",
    ]

    init(_ arguments: [String]) { self.arguments = Self.safety + arguments }

    /// The git subcommand this runs (`ls-remote`, `fetch`, ...), by which runs are counted.
    public var subcommand: String {
        var rest = arguments.dropFirst(Self.safety.count)
        if rest.first == "-C" { rest = rest.dropFirst(2) }
        return rest.first ?? ""
    }

    /// The commit a ref names on the remote (and, for an annotated tag, the commit it points at).
    public static func lsRemote(url: String, ref: String) -> GitCommand {
        GitCommand(["ls-remote", "--exit-code", url, ref, ref + "^{}"])
    }

    /// An empty repository to fetch into.
    public static func initRepository(_ directory: String) -> GitCommand {
        GitCommand(["init", "--quiet", directory])
    }

    /// A shallow fetch of one ref or commit.
    public static func fetch(_ directory: String, url: String, what: String) -> GitCommand {
        GitCommand(["-C", directory, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--depth", "1", url, what])
    }

    /// The commit a local name points at.
    public static func commit(_ directory: String, of name: String) -> GitCommand {
        GitCommand(["-C", directory, "rev-parse", "--verify", "--quiet", name + "^{commit}"])
    }

    /// Puts the work tree at a commit, discarding anything else in it.
    public static func checkout(_ directory: String, commit: String) -> GitCommand {
        GitCommand(["-C", directory, "checkout", "--quiet", "--force", "--detach", commit])
    }

    /// Removes untracked files from the work tree.
    public static func clean(_ directory: String) -> GitCommand {
        GitCommand(["-C", directory, "clean", "-ffdxq"])
    }

    /// The commit of `ref` in `ls-remote` output: the peeled line of an annotated tag wins.
    public static func parseLsRemote(_ output: String, ref: String) -> String? {
        var direct: String?
        for line in output.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            if parts[1] == ref + "^{}" { return String(parts[0]) }
            if parts[1] == ref { direct = String(parts[0]) }
        }
        return direct
    }
}
