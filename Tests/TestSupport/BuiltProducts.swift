import Foundation

/// Finds executables built with the tests (`pvdifyd`, `pvdify`, `FakeCloudflare`): an environment
/// override, else the products directory the test runner runs from (so `--scratch-path` works),
/// else the package's `.build/debug`.
public enum BuiltProducts {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func executable(_ name: String, override variable: String) -> URL {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let runner = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }
}

/// Loopback ports for test servers.
public enum Loopback {
    /// A TCP port on 127.0.0.1 that is free right now.
    public static func freePort() throws -> Int {
        guard let port = bind(0) else { throw POSIXError(.EADDRINUSE) }
        return port
    }

    /// Whether nothing listens on 127.0.0.1:port (a bind succeeds).
    public static func isFree(_ port: Int) -> Bool { bind(port) != nil }

    /// Binds a socket to 127.0.0.1:port (0: any port), closes it, and answers the port it got.
    private static func bind(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                Glibc.bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
