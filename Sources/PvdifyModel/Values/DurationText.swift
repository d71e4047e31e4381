/// Durations as people write them in manifests: `500ms`, `30s`, `5m`, `1h`, or `1m30s`.
public struct DurationText: Sendable, Hashable, Codable, CustomStringConvertible {
    public let milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public init?(_ text: String) {
        var total = 0
        var number = 0
        var digits = 0
        var index = text.startIndex
        guard !text.isEmpty else { return nil }
        while index < text.endIndex {
            let character = text[index]
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                digits += 1
                guard digits <= 9 else { return nil }
                index = text.index(after: index)
                continue
            }
            guard digits > 0 else { return nil }
            let rest = text[index...]
            let unit: Int
            if rest.hasPrefix("ms") { unit = 1; index = text.index(index, offsetBy: 2) }
            else if character == "s" { unit = 1000; index = text.index(after: index) }
            else if character == "m" { unit = 60_000; index = text.index(after: index) }
            else if character == "h" { unit = 3_600_000; index = text.index(after: index) }
            else { return nil }
            // Checked: a long run of `999999999h` segments must be refused, not overflow.
            let (part, overflowPart) = number.multipliedReportingOverflow(by: unit)
            let (sum, overflowSum) = total.addingReportingOverflow(part)
            guard !overflowPart, !overflowSum else { return nil }
            total = sum
            number = 0
            digits = 0
        }
        guard digits == 0 else { return nil }
        milliseconds = total
    }

    /// As a Swift `Duration`.
    public var duration: Duration { .milliseconds(Int64(milliseconds)) }

    public var description: String {
        if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = DurationText(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid duration \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
