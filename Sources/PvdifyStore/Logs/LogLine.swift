import Foundation

/// One line of an app's log: a container's output or a platform event (process `api`).
public struct LogLine: Sendable, Equatable, Codable {
    /// When it was written (kept to the microsecond).
    public var timestamp: Date
    /// `web.1` for an instance's output, `api` for platform events.
    public var process: String
    /// The text, without its newline.
    public var message: String

    /// Makes a line.
    public init(timestamp: Date = Date(), process: String, message: String) {
        self.timestamp = timestamp
        self.process = process
        self.message = message
    }

    /// `web` matches `web` and every `web.N`; `web.1` only itself.
    public func matches(process filter: String?) -> Bool {
        guard let filter else { return true }
        return process == filter || (!filter.contains(".") && process.hasPrefix(filter + "."))
    }
}

/// Log times as whole microseconds since 1970: what the disk keeps, and what resuming compares.
public enum LogTime {
    /// The microsecond of `date`.
    public static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The date of a microsecond.
    public static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000) + TimeInterval(micros % 1_000_000) / 1_000_000)
    }
}
