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

    /// Creates the directory if needed and makes it 0700 and every regular file directly in it 0600,
    /// at every start: an install made with a looser umask (0755 / 0644) is tightened too.
    static func secure(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard chmod(directory.path, 0o700) == 0 else {
            throw Unavailable(description: "cannot make \(directory.path) private (chmod 0700): \(String(cString: strerror(errno)))")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let path = directory.appendingPathComponent(name).path
            var info = stat()
            // Only regular files: the Podman socket pvdifyd may serve here is Podman's to manage.
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o777 != 0o600 else { continue }
            guard chmod(path, 0o600) == 0 else {
                throw Unavailable(description: "cannot make \(path) private (chmod 0600): \(String(cString: strerror(errno)))")
            }
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
