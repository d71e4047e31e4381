import Foundation
import PvdifyDrivers

#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the tests that talk to a real Podman (they run only with `PVDIFY_PODMAN_SOCKET` set).
enum Integration {
    /// The socket of a running `podman system service`, if the caller started one.
    static let socketPath = ProcessInfo.processInfo.environment["PVDIFY_PODMAN_SOCKET"]
    /// The test image `hack/test-image.sh` pushes.
    static let image = ProcessInfo.processInfo.environment["PVDIFY_TEST_IMAGE"] ?? "127.0.0.1:5000/pvdify-test:v1"

    /// A name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A TCP port on 127.0.0.1 that is free right now.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The first element of `sequence` that matches, or a timeout error after `seconds`.
    static func first<S: AsyncSequence & Sendable>(
        of sequence: S, within seconds: Double, where matches: @escaping @Sendable (S.Element) -> Bool
    ) async throws -> S.Element where S.Element: Sendable {
        try await withThrowingTaskGroup(of: S.Element?.self) { group in
            group.addTask {
                for try await element in sequence where matches(element) { return element }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let element = try await group.next() ?? nil else { throw TimedOut(seconds: seconds) }
            return element
        }
    }

    /// Waiting for something took longer than allowed.
    struct TimedOut: Error {
        let seconds: Double
    }
}
