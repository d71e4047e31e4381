import Foundation
import Synchronization

/// Audit entries recorded by requests and not yet written: recording costs a lock, not a commit.
final class AuditBuffer: Sendable {
    private struct State {
        var pending: [AuditEntry] = []
        var writtenSinceTrim = 0
        var lastTrim: Date?
    }

    private let state = Mutex(State())
    /// Most entries held while the store cannot be written (a full disk): memory stays bounded,
    /// the oldest pending entries give way.
    static let maxPending = 100_000

    func append(_ entry: AuditEntry) {
        state.withLock { state in
            if state.pending.count >= Self.maxPending { state.pending.removeFirst(state.pending.count - Self.maxPending + 1) }
            state.pending.append(entry)
        }
    }

    /// Everything pending, emptying the buffer.
    func take() -> [AuditEntry] {
        state.withLock { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
    }

    /// Puts entries back at the front after a failed write, so they are tried again.
    func putBack(_ entries: [AuditEntry]) {
        state.withLock { state in
            state.pending.insert(contentsOf: entries, at: 0)
            if state.pending.count > Self.maxPending { state.pending.removeFirst(state.pending.count - Self.maxPending) }
        }
    }

    /// Counts `written` entries; true when the log is due a trim (every 1,000 entries, hourly, and first).
    func noteWritten(_ written: Int, now: Date) -> Bool {
        state.withLock { state in
            state.writtenSinceTrim += written
            guard state.lastTrim == nil || state.writtenSinceTrim >= 1_000 || now.timeIntervalSince(state.lastTrim!) > 3_600
            else { return false }
            state.writtenSinceTrim = 0
            state.lastTrim = now
            return true
        }
    }
}
