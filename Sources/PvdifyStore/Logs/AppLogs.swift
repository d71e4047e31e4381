import Foundation
import PvdifyModel
import Synchronization

/// The last lines of every app's logs, so they outlive containers, deploys and (with a directory)
/// pvdifyd itself; followers get new lines as they are appended.
///
/// Each app keeps its last `capacity` lines, and at most about `maxBytes` of them. With a
/// directory, each app's lines are also appended as they arrive to segment files in
/// `<directory>/<app>/` and read back the first time the app's log is used after a start.
/// Appending is O(1): one ring append and one `write`.
public final class AppLogs: Sendable {
    /// Lines kept per app.
    public let capacity: Int
    /// Bytes kept per app, on disk and in memory.
    public let maxBytes: Int
    /// Where apps' log directories are; nil keeps logs in memory only.
    public let directory: URL?
    private let limits: AppLog.Limits
    private let onError: @Sendable (String) -> Void
    private let apps = Mutex<[String: AppLog]>([:])

    /// The default byte budget per app: 8 MiB.
    public static let defaultMaxBytes = 8 << 20

    /// Logs kept in memory only (tests, or a daemon without a data directory).
    public convenience init(capacity: Int = 10_000) {
        self.init(directory: nil, capacity: capacity)
    }

    /// Logs kept in `directory` (created with mode 0700), `capacity` lines and about `maxBytes` per app.
    /// - Parameter onError: told when an app's log cannot be read or written (then it lives in memory).
    public init(
        directory: URL?, capacity: Int = 10_000, maxBytes: Int = AppLogs.defaultMaxBytes,
        onError: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.capacity = capacity
        self.maxBytes = max(maxBytes, 8 << 10)
        self.directory = directory
        self.onError = onError
        let segmentBytes = max(1 << 10, self.maxBytes / 8)
        limits = AppLog.Limits(lines: capacity, bytes: self.maxBytes - segmentBytes, segmentBytes: segmentBytes)
        if let directory {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Appends a platform event or any line without a container behind it.
    public func append(_ app: String, _ line: LogLine) {
        log(app).append(line, source: nil)
    }

    /// Appends a line of container `source` (its resume point moves to this line).
    public func append(_ app: String, _ line: LogLine, source: String) {
        log(app).append(line, source: source)
    }

    /// The last `limit` lines, oldest first, that match `process` and are not before `since`.
    public func lines(_ app: String, limit: Int, process: String? = nil, since: Date? = nil) -> [LogLine] {
        existingLog(app)?.lines(limit: limit, process: process, since: since) ?? []
    }

    /// Where container `source`'s stream stands in `app`'s log, to resume it without repeating lines.
    public func resumePoint(_ app: String, source: String) -> LogResumePoint? {
        existingLog(app)?.resumePoint(source: source)
    }

    /// Forgets a removed container's resume point (its lines stay).
    public func forget(_ app: String, source: String) {
        apps.withLock { $0[app] }?.forget(source: source)
    }

    /// New lines of `app` as they come, until the caller stops or the app's logs are dropped.
    public func follow(_ app: String) -> AsyncStream<LogLine> {
        log(app).follow()
    }

    /// How many followers `app` has (for tests and metrics).
    public func followerCount(_ app: String) -> Int {
        apps.withLock { $0[app] }?.followerCount ?? 0
    }

    /// Forgets a deleted app's lines, deletes them from disk and ends its followers.
    public func drop(_ app: String) {
        let log = apps.withLock { $0.removeValue(forKey: app) }
        if let log {
            log.close(deleting: true)
        } else if let folder = folder(app) {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Deletes the logs of every app not in `apps` (apps deleted while pvdifyd was not looking).
    public func retainOnly(_ apps: Set<String>) {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where !apps.contains(name) { drop(name) }
    }

    /// Ends every follower (shutdown).
    public func finishAll() {
        for log in apps.withLock({ Array($0.values) }) { log.close(deleting: false) }
    }

    /// `<directory>/<app>`, only for a name that is a DNS label (the longest app name is a preview's, 63).
    func folder(_ app: String) -> URL? {
        guard let directory, Rules.appName(app, maxLength: 63) == nil else { return nil }
        return directory.appendingPathComponent(app, isDirectory: true)
    }

    private func existingLog(_ app: String) -> AppLog? {
        if let log = apps.withLock({ $0[app] }) { return log }
        // After a restart, an app's log is on disk until first used.
        guard let folder = folder(app), FileManager.default.fileExists(atPath: folder.path) else { return nil }
        return log(app)
    }

    private func log(_ app: String) -> AppLog {
        apps.withLock { apps in
            if let log = apps[app] { return log }
            let log = AppLog(app: app, directory: folder(app), limits: limits, onError: onError)
            apps[app] = log
            return log
        }
    }
}
