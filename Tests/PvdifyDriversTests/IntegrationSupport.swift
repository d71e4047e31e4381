import Foundation
import PvdifyTestSupport
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
