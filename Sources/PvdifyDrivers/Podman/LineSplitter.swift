/// Cuts a byte stream into `\n`-terminated lines (newline-delimited JSON, log payloads), keeping a
/// partial last line until the rest arrives.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    /// An empty splitter.
    public init() {}

    /// Adds bytes and returns the lines they complete, without their `\n` (nor a `\r` before it).
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// The unterminated rest, if any, when the stream ends.
    public mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}
