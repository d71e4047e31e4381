import Foundation

/// RFC 3339 UTC with whole seconds (`2026-01-05T10:30:00Z`), the API's one time format.
public enum Timestamps {
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// With milliseconds (`2026-01-05T10:30:00.125Z`), where ordering within a second matters.
    public static func formatFractional(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Accepts RFC 3339 with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
