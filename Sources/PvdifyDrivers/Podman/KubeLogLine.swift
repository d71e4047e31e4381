import Foundation

/// One line of a container log file in the `k8s-file` format Podman's conmon writes:
/// `<RFC 3339 time with nanoseconds> <stdout|stderr> <P|F> <text>`, where `P` marks a piece of a
/// longer line whose rest follows (`F` ends it).
public struct KubeLogLine: Sendable, Equatable {
    /// stdout or stderr.
    public let stream: LogLine.Stream
    /// When conmon recorded it.
    public let timestamp: Date
    /// Whether more of the same line follows on the next one.
    public let partial: Bool
    /// The text (without the newline).
    public let text: String

    /// Parses one line of the file (without its newline); nil when it is not in the format.
    public init?(_ line: ArraySlice<UInt8>) {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3, let timestamp = Self.time(fields[0]) else { return nil }
        switch Array(fields[1]) {
        case Array("stdout".utf8): stream = .stdout
        case Array("stderr".utf8): stream = .stderr
        default: return nil
        }
        switch Array(fields[2]) {
        case [UInt8(ascii: "F")]: partial = false
        case [UInt8(ascii: "P")]: partial = true
        default: return nil
        }
        self.timestamp = timestamp
        var text = fields.count == 4 ? fields[3] : []
        if !partial, text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        self.text = String(decoding: text, as: UTF8.self)
    }

    /// `2024-05-01T10:20:30.123456789+00:00` (or `Z`): read by position, as this is done for every
    /// line of a chatty container. The same Date as `RFC3339.parse` gives for the same text.
    static func time(_ text: ArraySlice<UInt8>) -> Date? {
        let bytes = Array(text)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var index = 19
        var nanos = 0, digits = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, let digit = number(index..<index + 1) {
                if digits < 9 {
                    nanos = nanos * 10 + digit
                    digits += 1
                }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == UInt8(ascii: "Z") {
            guard index + 1 == bytes.count else { return nil }
        } else {
            guard bytes.count == index + 6, bytes[index + 3] == UInt8(ascii: ":"), let hours = number(index + 1..<index + 3),
                let minutes = number(index + 4..<index + 6)
            else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "+"): offset = hours * 3600 + minutes * 60
            case UInt8(ascii: "-"): offset = -(hours * 3600 + minutes * 60)
            default: return nil
            }
        }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds)).addingTimeInterval(Double(nanos) / 1e9)
    }

    /// Days from 1970-01-01 to a civil date (proleptic Gregorian).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
