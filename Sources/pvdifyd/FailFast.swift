import Foundation
import ServiceLifecycle

/// Runs one part of the daemon. When it fails, it says at once which part and why (on stderr),
/// and makes sure pvdifyd exits non-zero within a few seconds even if another part does not stop:
/// a daemon that lost its API or a reconciler must not linger half alive.
struct FailFast: Service, CustomStringConvertible {
    let description: String
    let service: any Service

    /// How long the other parts get to stop after a failure.
    static let exitDeadline: Duration = .seconds(4)

    init(_ description: String, _ service: any Service) {
        self.description = description
        self.service = service
    }

    func run() async throws {
        do {
            try await service.run()
        } catch let error where !(error is CancellationError) {
            let message = "pvdifyd: \(description) failed: \(Self.explain(error)); exiting\n"
            FileHandle.standardError.write(Data(message.utf8))
            Self.armWatchdog()
            throw error
        }
    }

    /// The error in words a user can act on. NIO's socket errors read like
    /// `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    static func explain(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("(errno: \(EADDRINUSE))") { return "address already in use (another program listens there)" }
        if text.contains("(errno: \(EACCES))") { return "permission denied (\(text))" }
        return text
    }

    /// A plain thread, so it fires even when every task is stuck.
    static func armWatchdog() {
        let seconds = UInt32(exitDeadline.components.seconds)
        Thread.detachNewThread {
            sleep(seconds)
            FileHandle.standardError.write(Data("pvdifyd: parts did not stop within \(seconds) s of the failure; exiting\n".utf8))
            exit(1)
        }
    }
}
