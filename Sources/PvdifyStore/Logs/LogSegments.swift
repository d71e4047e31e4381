import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One app's log on disk: append-only segment files `<directory>/<sequence>.log` (16 digits, mode
/// 0600), written one record per line as lines arrive and rotated by size. The oldest segment is
/// deleted once the newer ones hold what the app keeps (`keepLines` lines or `keepBytes` bytes),
/// so the directory holds less than `keepBytes + segmentBytes`.
struct LogSegments {
    struct Segment: Equatable {
        var sequence: Int
        var lines: Int
        var bytes: Int
    }

    let directory: URL
    let segmentBytes: Int
    let keepLines: Int
    let keepBytes: Int
    private(set) var segments: [Segment] = []
    private var totalLines = 0
    private var totalBytes = 0
    private var descriptor: Int32 = -1

    /// Opens an app's directory (creating it, mode 0700) and reads the records it holds, oldest first.
    /// A record cut short by a crash is dropped, and the file is cut back to its last whole record.
    /// Each record comes with its size on disk.
    static func open(directory: URL, segmentBytes: Int, keepLines: Int, keepBytes: Int) throws -> (LogSegments, [(LogRecord, Int)]) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var store = LogSegments(directory: directory, segmentBytes: segmentBytes, keepLines: keepLines, keepBytes: keepBytes)
        var records: [(LogRecord, Int)] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for sequence in names.compactMap(Self.sequence).sorted() {
            let url = store.url(sequence)
            var data = try Data(contentsOf: url)
            if let last = data.last, last != LogRecord.newline {
                let keep = data.lastIndex(of: LogRecord.newline).map { $0 + 1 } ?? 0
                data = data.prefix(keep)
                _ = truncate(url.path, off_t(keep))
            }
            var lines = 0
            for line in data.split(separator: LogRecord.newline) {
                guard let record = LogRecord(line) else { continue }
                records.append((record, line.count + 1))
                lines += 1
            }
            store.segments.append(Segment(sequence: sequence, lines: lines, bytes: data.count))
            store.totalLines += lines
            store.totalBytes += data.count
        }
        store.trim()
        let dropped = records.count - store.segments.reduce(0) { $0 + $1.lines }
        if dropped > 0 { records.removeFirst(dropped) }
        return (store, records)
    }

    private init(directory: URL, segmentBytes: Int, keepLines: Int, keepBytes: Int) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.keepLines = keepLines
        self.keepBytes = keepBytes
    }

    /// Appends one record (one `write`: a reader or a crash sees whole records), rotating first when
    /// the current segment is full.
    mutating func append(_ record: [UInt8]) throws {
        if descriptor < 0 || (segments.last.map { $0.bytes + record.count > segmentBytes && $0.lines > 0 } ?? true) {
            try rotate()
        }
        let written = record.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == record.count else {
            let code = errno
            close()
            throw LogStoreError(message: "writing \(directory.lastPathComponent)'s log failed: \(String(cString: strerror(code)))")
        }
        segments[segments.count - 1].lines += 1
        segments[segments.count - 1].bytes += record.count
        totalLines += 1
        totalBytes += record.count
        trim()
    }

    /// Closes the open segment.
    mutating func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Deletes the directory and everything in it.
    mutating func removeAll() {
        close()
        segments.removeAll()
        totalLines = 0
        totalBytes = 0
        try? FileManager.default.removeItem(at: directory)
    }

    /// Opens the last segment for appending, or a new one when it is full or there is none.
    private mutating func rotate() throws {
        close()
        if let last = segments.last, last.bytes < segmentBytes || last.lines == 0 {
            descriptor = Glibc.open(url(last.sequence).path, O_WRONLY | O_APPEND | O_CLOEXEC)
        } else {
            let sequence = (segments.last?.sequence ?? 0) + 1
            descriptor = Glibc.open(url(sequence).path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { segments.append(Segment(sequence: sequence, lines: 0, bytes: 0)) }
        }
        guard descriptor >= 0 else {
            throw LogStoreError(message: "opening \(directory.lastPathComponent)'s log failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes the oldest segments that the newer ones make unnecessary.
    private mutating func trim() {
        while segments.count > 1 {
            let oldest = segments[0]
            guard totalLines - oldest.lines >= keepLines || totalBytes - oldest.bytes >= keepBytes else { break }
            try? FileManager.default.removeItem(at: url(oldest.sequence))
            segments.removeFirst()
            totalLines -= oldest.lines
            totalBytes -= oldest.bytes
        }
    }

    private func url(_ sequence: Int) -> URL {
        let digits = String(sequence)
        return directory.appendingPathComponent(String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".log")
    }

    private static func sequence(_ name: String) -> Int? {
        guard name.hasSuffix(".log"), name.count == 20 else { return nil }
        let digits = name.dropLast(4)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}

/// The log store could not read or write an app's log directory.
public struct LogStoreError: Error, CustomStringConvertible {
    /// What failed.
    public let message: String
    /// The message.
    public var description: String { message }
}
