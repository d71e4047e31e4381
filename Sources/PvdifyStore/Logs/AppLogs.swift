import DequeModule
import Foundation
import PvdifyModel
import Synchronization

/// One line of an app's log: a container's output or a platform event (process `api`).
public struct LogLine: Sendable, Equatable, Codable {
    public var timestamp: Date
    public var process: String
    public var message: String

    public init(timestamp: Date = Date(), process: String, message: String) {
        self.timestamp = timestamp
        self.process = process
        self.message = message
    }

    /// `web` matches `web` and every `web.N`; `web.1` only itself.
    public func matches(process filter: String?) -> Bool {
        guard let filter else { return true }
        return process == filter || (!filter.contains(".") && process.hasPrefix(filter + "."))
    }
}

/// The last lines of every app's logs, kept in memory (a bounded ring per app) so they outlive
/// containers, deploys and restarts; followers get new lines as they are appended.
public final class AppLogs: Sendable {
    public let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var rings: [String: Deque<LogLine>] = [:]
        var followers: [String: [Int: AsyncStream<LogLine>.Continuation]] = [:]
        var nextFollower = 0
    }

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    public func append(_ app: String, _ line: LogLine) {
        let followers = state.withLock { state -> [AsyncStream<LogLine>.Continuation] in
            var ring = state.rings[app, default: []]
            ring.append(line)
            if ring.count > capacity { ring.removeFirst(ring.count - capacity) }
            state.rings[app] = ring
            return Array(state.followers[app, default: [:]].values)
        }
        for follower in followers { follower.yield(line) }
    }

    /// The last `limit` lines, oldest first, that match `process` and are not before `since`.
    public func lines(_ app: String, limit: Int, process: String? = nil, since: Date? = nil) -> [LogLine] {
        let ring = state.withLock { $0.rings[app] ?? [] }
        var result: [LogLine] = []
        for line in ring.reversed() where result.count < limit {
            if let since, line.timestamp < since { break }
            if line.matches(process: process) { result.append(line) }
        }
        return result.reversed()
    }

    /// New lines of `app` as they come, until the caller stops or the app's logs are dropped.
    public func follow(_ app: String) -> AsyncStream<LogLine> {
        let (stream, continuation) = AsyncStream.makeStream(of: LogLine.self, bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { state in
            state.nextFollower += 1
            state.followers[app, default: [:]][state.nextFollower] = continuation
            return state.nextFollower
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.followers[app]?.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many followers `app` has (for tests and metrics).
    public func followerCount(_ app: String) -> Int {
        state.withLock { $0.followers[app]?.count ?? 0 }
    }

    /// Forgets a deleted app's lines and ends its followers.
    public func drop(_ app: String) {
        let followers = state.withLock { state in
            state.rings[app] = nil
            return Array(state.followers.removeValue(forKey: app)?.values ?? [:].values)
        }
        for follower in followers { follower.finish() }
    }

    /// Ends every follower (shutdown).
    public func finishAll() {
        let followers = state.withLock { state in
            defer { state.followers.removeAll() }
            return state.followers.values.flatMap(\.values)
        }
        for follower in followers { follower.finish() }
    }
}
