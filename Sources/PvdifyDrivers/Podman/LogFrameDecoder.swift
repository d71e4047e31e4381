import Foundation

/// Demultiplexes Podman's log stream: frames of `[stream (1|2), 0, 0, 0, length (UInt32 BE)]`
/// followed by `length` bytes, whose payloads are cut into lines per stream.
public struct LogFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var stdout = LineSplitter()
    private var stderr = LineSplitter()
    private let timestamps: Bool

    /// A decoder; with `timestamps`, each line's leading RFC 3339 time is parsed off.
    public init(timestamps: Bool = false) {
        self.timestamps = timestamps
    }

    /// Adds bytes as they arrive and returns the complete lines they finish.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [LogLine] {
        buffer.append(contentsOf: bytes)
        var lines: [LogLine] = []
        var offset = 0
        while buffer.count - offset >= 8 {
            let length = buffer[offset + 4..<offset + 8].reduce(0) { $0 << 8 | Int($1) }
            guard buffer.count - offset - 8 >= length else { break }
            let payload = buffer[offset + 8..<offset + 8 + length]
            // Type 0 (stdin) or anything unknown is shown as stdout rather than dropped.
            let stream = LogLine.Stream(rawValue: buffer[offset]) ?? .stdout
            let completed = stream == .stderr ? stderr.append(payload) : stdout.append(payload)
            lines += completed.map { line(stream, $0) }
            offset += 8 + length
        }
        buffer.removeFirst(offset)
        return lines
    }

    /// The unterminated last lines of each stream when the stream ends.
    public mutating func finish() -> [LogLine] {
        var lines: [LogLine] = []
        if let rest = stdout.finish() { lines.append(line(.stdout, rest)) }
        if let rest = stderr.finish() { lines.append(line(.stderr, rest)) }
        return lines
    }

    private func line(_ stream: LogLine.Stream, _ bytes: [UInt8]) -> LogLine {
        let text = String(decoding: bytes, as: UTF8.self)
        guard timestamps, let space = text.firstIndex(of: " "), let time = RFC3339.parse(text[..<space]) else {
            return LogLine(stream: stream, text: text)
        }
        return LogLine(stream: stream, timestamp: time, text: String(text[text.index(after: space)...]))
    }
}
