import Foundation
import PvdifyStore
import Synchronization

/// The Admin UI's signed-in browsers, held on the server: the cookie carries only a random id.
/// A session keeps the token it was opened with, so every request is checked again through the
/// API's own authentication; revoking or expiring the token ends the session.
final class UISessions: Sendable {
    /// One signed-in browser.
    struct Session: Sendable {
        let id: String
        /// The token's secret, never sent back to the browser.
        let secret: String
        /// Put in every form and compared on every POST.
        let csrf: String
        let openedAt: Date
        var lastSeen: Date
        /// One message shown on the next page (what the last action did, or why it failed).
        var flash: Flash?
    }

    /// A one-shot message for the next page.
    struct Flash: Sendable {
        let text: String
        let isError: Bool
    }

    /// A session unused this long ends.
    let idleTimeout: TimeInterval
    /// A session ends this long after sign-in, however busy.
    let maxAge: TimeInterval
    /// More sessions than this and the least recently used ones end: memory stays bounded.
    let maxSessions: Int
    private let sessions = Mutex<[String: Session]>([:])

    init(idleTimeout: TimeInterval = 12 * 3600, maxAge: TimeInterval = 7 * 24 * 3600, maxSessions: Int = 10_000) {
        self.idleTimeout = idleTimeout
        self.maxAge = maxAge
        self.maxSessions = maxSessions
    }

    /// Opens a session for a token that has just been checked.
    func open(secret: String, now: Date = Date()) -> Session {
        let session = Session(
            id: Store.randomHex(bytes: 32), secret: secret, csrf: Store.randomHex(bytes: 32), openedAt: now, lastSeen: now)
        sessions.withLock { sessions in
            if sessions.count >= maxSessions {
                sessions = sessions.filter { isLive($0.value, now) }
                if sessions.count >= maxSessions, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                    sessions[oldest.id] = nil
                }
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id, marked as used now; an expired one is removed.
    func find(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            guard isLive(session, now) else {
                sessions[id] = nil
                return nil
            }
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    /// Whether the session is still live, without marking it used (an open status stream alone
    /// does not keep a session from going idle).
    func isLive(_ id: String, now: Date = Date()) -> Bool {
        sessions.withLock { sessions in sessions[id].map { isLive($0, now) } ?? false }
    }

    /// Takes the session's one-shot message.
    func takeFlash(_ id: String) -> Flash? {
        sessions.withLock { sessions in
            let flash = sessions[id]?.flash
            sessions[id]?.flash = nil
            return flash
        }
    }

    /// Leaves a message for the session's next page.
    func setFlash(_ id: String, _ flash: Flash) {
        sessions.withLock { $0[id]?.flash = flash }
    }

    /// Ends a session (sign-out, or its token no longer authenticates).
    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    private func isLive(_ session: Session, _ now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) < idleTimeout && now.timeIntervalSince(session.openedAt) < maxAge
    }
}
