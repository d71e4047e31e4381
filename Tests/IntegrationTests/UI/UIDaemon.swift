import Foundation

/// A real pvdifyd for the Admin UI tests, stopped when the test body ends, however it ends.
enum UIDaemon {
    static func with(
        _ arguments: [String] = [], rateLimit: Int = 100_000, _ body: (AuthDaemon) async throws -> Void
    ) async throws {
        let daemon = DaemonProcess(arguments: ["--podman-socket", "off", "--rate-limit", String(rateLimit)] + arguments)
        try await daemon.start()
        let auth = AuthDaemon(daemon: daemon, admin: daemon.adminToken)
        do {
            try await body(auth)
        } catch {
            await auth.stop()
            throw error
        }
        await auth.stop()
    }
}
