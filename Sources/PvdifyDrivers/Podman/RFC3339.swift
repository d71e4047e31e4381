import Foundation

/// Parses the RFC 3339 times Podman writes (Go's RFC3339Nano: up to nine fractional digits).
public enum RFC3339 {
    /// The date, or nil when the text is not RFC 3339.
    public static func parse(_ text: some StringProtocol) -> Date? {
        let text = String(text)
        // Split off the fraction: Foundation's parser is not relied on for more than 3 digits.
        guard let dot = text.firstIndex(of: ".") else {
            return try? Date.ISO8601FormatStyle().parse(text)
        }
        let afterDot = text[text.index(after: dot)...]
        let digits = afterDot.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let whole = try? Date.ISO8601FormatStyle().parse(String(text[..<dot]) + afterDot.dropFirst(digits.count)) else {
            return nil
        }
        let fraction = Double("0." + digits) ?? 0
        return whole.addingTimeInterval(fraction)
    }

    /// Like `parse`, but Go's zero time (year 1) and empty text are nil.
    public static func parseNonZero(_ text: String?) -> Date? {
        guard let text, !text.isEmpty, !text.hasPrefix("0001-01-01") else { return nil }
        return parse(text)
    }
}
