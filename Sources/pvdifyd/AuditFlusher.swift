import Logging
import PvdifyStore
import ServiceLifecycle

/// Writes the audit entries requests record, a batch every quarter second, so no request waits
/// for an audit commit; a last flush at shutdown (after the API has stopped) loses none.
struct AuditFlusher: Service {
    let store: Store
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                do {
                    try await store.flushAudit()
                } catch {
                    logger.error("audit log write failed; will retry", metadata: ["error": "\(error)"])
                }
            }
        }
        try await store.flushAudit()
    }
}
