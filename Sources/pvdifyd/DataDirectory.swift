import Foundation

/// pvdifyd's state directory: readable by its owner only, and used by one process at a time.
enum DataDirectory {
    /// Why the directory cannot be used.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Makes files created from now on owner-only, whatever the umask pvdifyd was started with.
    static func restrictNewFiles() {
        umask(0o077)
    }

    /// Creates the directory if needed and makes it and every folder below it 0700 and every regular
    /// file in them 0600, at every start: an install made with a looser umask (0755 / 0644) is
    /// tightened too, logs and checkouts in sub-folders included.
    static func secure(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try tighten(directory.path, depth: 0)
    }

    /// Folders 0700, regular files 0600; links are not followed, and other kinds (the Podman
    /// socket pvdifyd may serve here is Podman's to manage) are left alone.
    private static func tighten(_ path: String, depth: Int) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            try restrict(path, to: 0o700, info)
            guard depth < 8 else { return }
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                try tighten(path + "/" + name, depth: depth + 1)
            }
        case S_IFREG:
            try restrict(path, to: 0o600, info)
        default:
            return
        }
    }

    private static func restrict(_ path: String, to mode: mode_t, _ info: stat) throws {
        guard info.st_mode & 0o777 != mode else { return }
        guard chmod(path, mode) == 0 else {
            throw Unavailable(description: "cannot make \(path) private (chmod \(String(mode, radix: 8))): \(String(cString: strerror(errno)))")
        }
    }

    /// Takes `<directory>/pvdifyd.lock` for as long as the returned descriptor stays open (the
    /// process's life), so a second pvdifyd, or a restore, cannot work on a directory in use.
    static func lock(_ directory: URL) throws -> Int32 {
        let path = directory.appendingPathComponent("pvdifyd.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Unavailable(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Unavailable(description: "\(directory.path) is in use by a running pvdifyd; stop it first")
        }
        return descriptor
    }
}
