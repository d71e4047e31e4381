import Foundation

/// One line as stored on disk: `<microseconds>\t<source>\t<process>\t<message>\n`, with `\`, tab,
/// newline and carriage return escaped in the text fields, so a record is always one line.
/// `source` names the container the line came from (empty for platform events).
struct LogRecord: Equatable {
    var micros: Int64
    var source: String
    var process: String
    var message: String

    /// The record's bytes, newline included.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24 + source.utf8.count + process.utf8.count + message.utf8.count)
        bytes.append(contentsOf: String(micros).utf8)
        bytes.append(Self.tab)
        Self.appendEscaped(source, to: &bytes)
        bytes.append(Self.tab)
        Self.appendEscaped(process, to: &bytes)
        bytes.append(Self.tab)
        Self.appendEscaped(message, to: &bytes)
        bytes.append(Self.newline)
        return bytes
    }

    /// Parses one record's bytes (without the newline); nil when they are not a record.
    init?(_ bytes: some Collection<UInt8>) {
        let fields = bytes.split(separator: Self.tab, maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let micros = Int64(String(decoding: fields[0], as: UTF8.self)) else { return nil }
        self.micros = micros
        source = Self.unescape(fields[1])
        process = Self.unescape(fields[2])
        message = Self.unescape(fields[3])
    }

    init(micros: Int64, source: String, process: String, message: String) {
        self.micros = micros
        self.source = source
        self.process = process
        self.message = message
    }

    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    private static let backslash = UInt8(ascii: "\\")
    private static let carriageReturn = UInt8(ascii: "\r")

    private static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case backslash: bytes += [backslash, backslash]
            case tab: bytes += [backslash, UInt8(ascii: "t")]
            case newline: bytes += [backslash, UInt8(ascii: "n")]
            case carriageReturn: bytes += [backslash, UInt8(ascii: "r")]
            default: bytes.append(byte)
            }
        }
    }

    private static func unescape(_ field: some Collection<UInt8>) -> String {
        guard field.contains(backslash) else { return String(decoding: field, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var escaped = false
        for byte in field {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): bytes.append(tab)
                case UInt8(ascii: "n"): bytes.append(newline)
                case UInt8(ascii: "r"): bytes.append(carriageReturn)
                default: bytes.append(byte)
                }
                escaped = false
            } else if byte == backslash {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
