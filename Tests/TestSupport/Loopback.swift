import Foundation
import Synchronization

/// Loopback ports for test servers.
public enum Loopback {
    /// The ports `claimPort` handed out in this run, never handed out again.
    private static let claimed = Mutex<Set<Int>>([])

    /// A port in `range` that no other test of this run was handed and that is free right now.
    /// Test servers are told their port before they start (pvdifyd's `--listen`), so two tests
    /// picking at random could meet on one, and the second would find the first's server there.
    public static func claimPort(in range: ClosedRange<Int>) -> Int {
        for _ in 0..<1_000 {
            let port = Int.random(in: range)
            guard claimed.withLock({ $0.insert(port).inserted }) else { continue }
            if isFree(port) { return port }
        }
        return Int.random(in: range)
    }

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
