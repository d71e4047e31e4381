import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Follows container log files (`k8s-file`) for every container at once, with one loop that looks
/// at each file a few times a second. Each of Podman's own `logs?follow` streams keeps its API
/// service busy even while the container is silent, which adds up to seconds of CPU a minute with
/// a hundred idle containers; one `stat` per file per look here costs next to nothing.
public actor LogFileTailer {
    /// One followed file and how far it has been read.
    private final class Tail {
        let path: String
        let since: Date?
        let continuation: AsyncThrowingStream<LogLine, any Error>.Continuation
        var descriptor: Int32 = -1
        var inode: UInt64 = 0
        var offset: Int64 = 0
        var pending: [UInt8] = []
        var partial = ""
        /// Looks in a row that found nothing new.
        var quietLooks = 0

        init(path: String, since: Date?, continuation: AsyncThrowingStream<LogLine, any Error>.Continuation) {
            self.path = path
            self.since = since
            self.continuation = continuation
        }

        deinit { if descriptor >= 0 { close(descriptor) } }
    }

    /// How long the loop waits between looks: the delay a line can have before pvdifyd has it.
    let interval: Duration
    /// A file with nothing new for this many looks is looked at only every `quietStride` ticks
    /// (most containers say little most of the time; the first line after a pause waits a little longer).
    let quietAfter = 10
    let quietStride = 3
    /// At most this many bytes are read from one file per tick, so a chatty container cannot starve the others.
    let chunkLimit = 4 << 20
    private var tails: [Int: Tail] = [:]
    private var nextID = 0
    private var loop: Task<Void, Never>?

    /// A tailer that looks at its files every `interval`.
    public init(interval: Duration = .milliseconds(200)) {
        self.interval = interval
    }

    /// Whether pvdifyd can read the file at `path` itself (else Podman must stream it).
    public nonisolated static func canRead(_ path: String) -> Bool {
        !path.isEmpty && access(path, R_OK) == 0
    }

    /// The lines of the file at `path` from its start (those before `since` left out) and then as
    /// they are written; ends when the file is removed (its container is gone) or the consumer stops.
    public nonisolated func follow(_ path: String, since: Date?) -> AsyncThrowingStream<LogLine, any Error> {
        AsyncThrowingStream { continuation in
            let registered = Task { await self.add(Tail(path: path, since: since, continuation: continuation)) }
            continuation.onTermination = { _ in
                Task {
                    guard let id = await registered.value else { return }
                    await self.remove(id)
                }
            }
        }
    }

    /// Files followed now (tests).
    public var count: Int { tails.count }

    private func add(_ tail: Tail) -> Int? {
        nextID += 1
        tails[nextID] = tail
        if loop == nil { loop = Task { await self.run() } }
        read(nextID, tail)
        return nextID
    }

    private func remove(_ id: Int) {
        tails[id] = nil
    }

    private func run() async {
        var tick = 0
        while !tails.isEmpty, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            tick += 1
            for (id, tail) in tails where tail.quietLooks < quietAfter || tick % quietStride == 0 { read(id, tail) }
        }
        loop = nil
    }

    /// Reads what was added to one file since the last look, reopening it when it was replaced
    /// (rotated) and starting over when it was truncated; ends its stream when the file is gone.
    private func read(_ id: Int, _ tail: Tail) {
        var info = stat()
        guard stat(tail.path, &info) == 0 else {
            tails[id] = nil
            tail.continuation.finish()
            return
        }
        if tail.descriptor < 0 || UInt64(info.st_ino) != tail.inode {
            if tail.descriptor >= 0 { close(tail.descriptor) }
            tail.descriptor = open(tail.path, O_RDONLY | O_CLOEXEC)
            guard tail.descriptor >= 0 else {
                tails[id] = nil
                tail.continuation.finish(throwing: CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: tail.path]))
                return
            }
            tail.inode = UInt64(info.st_ino)
            tail.offset = 0
            tail.pending.removeAll()
        } else if Int64(info.st_size) < tail.offset {
            tail.offset = 0
            tail.pending.removeAll()
        }
        guard Int64(info.st_size) > tail.offset else {
            tail.quietLooks += 1
            return
        }
        tail.quietLooks = 0
        let wanted = min(Int(Int64(info.st_size) - tail.offset), chunkLimit)
        var buffer = [UInt8](repeating: 0, count: wanted)
        let got = buffer.withUnsafeMutableBytes { pread(tail.descriptor, $0.baseAddress, wanted, off_t(tail.offset)) }
        guard got > 0 else { return }
        tail.offset += Int64(got)
        deliver(buffer[0..<got], to: tail)
    }

    /// Cuts bytes into lines, joins partial lines and yields the complete ones.
    private func deliver(_ bytes: ArraySlice<UInt8>, to tail: Tail) {
        var start = bytes.startIndex
        if !tail.pending.isEmpty, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            tail.pending.append(contentsOf: bytes[start..<newline])
            emit(tail.pending[...], to: tail)
            tail.pending.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        while start < bytes.endIndex, let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            emit(bytes[start..<newline], to: tail)
            start = newline + 1
        }
        tail.pending.append(contentsOf: bytes[start...])
    }

    /// A joined line carries the time of its last piece, as Podman's own log stream gives it.
    private func emit(_ bytes: ArraySlice<UInt8>, to tail: Tail) {
        guard let line = KubeLogLine(bytes) else { return }
        if line.partial {
            tail.partial += line.text
            return
        }
        let text = tail.partial + line.text
        tail.partial = ""
        if let since = tail.since, line.timestamp < since { return }
        tail.continuation.yield(LogLine(stream: line.stream, timestamp: line.timestamp, text: text))
    }
}
