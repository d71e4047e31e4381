import DequeModule
import Foundation
import Synchronization

/// One app's log: the last lines in memory (a ring bounded by lines and bytes), the same lines in
/// segment files when the app has a directory, where each container's stream stands, and who follows.
final class AppLog: Sendable {
    struct Limits: Sendable {
        var lines: Int
        /// Bytes of records the ring (and so the disk, give or take a segment) keeps.
        var bytes: Int
        var segmentBytes: Int
    }

    private struct Entry {
        var line: LogLine
        var size: Int
    }

    private struct State {
        var loaded = false
        var dropped = false
        var ring = Deque<Entry>()
        var ringBytes = 0
        var resume: [String: LogResumePoint] = [:]
        var segments: LogSegments?
        var followers: [Int: AsyncStream<LogLine>.Continuation] = [:]
        var nextFollower = 0
        var failure: String?
    }

    let app: String
    /// nil: memory only.
    let directory: URL?
    let limits: Limits
    let onError: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(app: String, directory: URL?, limits: Limits, onError: @escaping @Sendable (String) -> Void) {
        self.app = app
        self.directory = directory
        self.limits = limits
        self.onError = onError
    }

    func append(_ line: LogLine, source: String?) {
        let micros = LogTime.micros(line.timestamp)
        var line = line
        line.timestamp = LogTime.date(micros)
        let record = LogRecord(micros: micros, source: source ?? "", process: line.process, message: line.message).encoded()
        let (followers, failure) = state.withLock { state -> ([AsyncStream<LogLine>.Continuation], String?) in
            guard !state.dropped else { return ([], nil) }
            load(&state)
            keep(line, size: record.count, in: &state)
            if let source { state.resume[source, default: LogResumePoint(micros: micros, messages: [])].record(micros: micros, message: line.message) }
            var failure: String?
            do {
                try state.segments?.append(record)
                state.failure = nil
            } catch {
                // Reported once per run of failures (a full disk), not per line; memory keeps the line.
                if state.failure == nil { failure = "\(error)" }
                state.failure = "\(error)"
            }
            return (Array(state.followers.values), failure)
        }
        if let failure { onError(failure) }
        for follower in followers { follower.yield(line) }
    }

    func lines(limit: Int, process: String?, since: Date?) -> [LogLine] {
        state.withLock { state in
            load(&state)
            var result: [LogLine] = []
            for entry in state.ring.reversed() where result.count < limit {
                if let since, entry.line.timestamp < since { break }
                if entry.line.matches(process: process) { result.append(entry.line) }
            }
            return result.reversed()
        }
    }

    func resumePoint(source: String) -> LogResumePoint? {
        state.withLock { state in
            load(&state)
            return state.resume[source]
        }
    }

    func forget(source: String) {
        state.withLock { _ = $0.resume.removeValue(forKey: source) }
    }

    func follow() -> AsyncStream<LogLine> {
        let (stream, continuation) = AsyncStream.makeStream(of: LogLine.self, bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { state -> Int? in
            guard !state.dropped else { return nil }
            state.nextFollower += 1
            state.followers[state.nextFollower] = continuation
            return state.nextFollower
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    var followerCount: Int { state.withLock { $0.followers.count } }

    /// Ends followers; with `deleting`, forgets every line and deletes the directory too.
    func close(deleting: Bool) {
        let followers = state.withLock { state in
            if deleting {
                state.dropped = true
                state.ring.removeAll()
                state.resume.removeAll()
                if state.segments != nil {
                    state.segments?.removeAll()
                } else if let directory {
                    try? FileManager.default.removeItem(at: directory)
                }
                state.segments = nil
            }
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        for follower in followers { follower.finish() }
    }

    /// Reads the directory the first time the app's log is used.
    private func load(_ state: inout State) {
        guard !state.loaded else { return }
        state.loaded = true
        guard let directory else { return }
        do {
            let (segments, records) = try LogSegments.open(
                directory: directory, segmentBytes: limits.segmentBytes, keepLines: limits.lines, keepBytes: limits.bytes)
            state.segments = segments
            for (record, size) in records {
                let line = LogLine(timestamp: LogTime.date(record.micros), process: record.process, message: record.message)
                keep(line, size: size, in: &state)
                if !record.source.isEmpty {
                    state.resume[record.source, default: LogResumePoint(micros: record.micros, messages: [])]
                        .record(micros: record.micros, message: record.message)
                }
            }
        } catch {
            state.failure = "\(error)"
            onError("\(error)")
        }
    }

    private func keep(_ line: LogLine, size: Int, in state: inout State) {
        state.ring.append(Entry(line: line, size: size))
        state.ringBytes += size
        while state.ring.count > limits.lines || (state.ringBytes > limits.bytes && state.ring.count > 1) {
            state.ringBytes -= state.ring.removeFirst().size
        }
    }
}
