import ArgumentParser
import Foundation
import PvdifyModel

/// Parsing of the argument shapes commands share: `KEY=VALUE`, `web=3`, `v3`, `10m`.
enum Arguments {
    /// `KEY=VALUE` pairs in order; the value may be empty or contain `=`. A repeated key keeps its last value.
    static func assignments(_ arguments: [String]) throws -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw CLIError("expected KEY=VALUE, got '\(argument)'")
            }
            let key = String(argument[..<equals])
            guard !key.isEmpty else { throw CLIError("expected KEY=VALUE, got '\(argument)' (the key is empty)") }
            if let problem = Rules.configKey(key) { throw CLIError("config key '\(key)' \(problem)") }
            result.removeAll { $0.key == key }
            result.append((key, String(argument[argument.index(after: equals)...])))
        }
        return result
    }

    /// `TYPE=COUNT` pairs (`web=3 worker=2`), counts 0 to 100.
    static func scale(_ arguments: [String]) throws -> [(type: String, count: Int)] {
        var result: [(type: String, count: Int)] = []
        for argument in arguments {
            let parts = argument.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]) else {
                throw CLIError("expected TYPE=COUNT like web=3, got '\(argument)'")
            }
            guard (0...ProcessSpec.maxCount).contains(count) else {
                throw CLIError("the count of '\(parts[0])' must be between 0 and \(ProcessSpec.maxCount), got \(count)")
            }
            result.removeAll { $0.type == parts[0] }
            result.append((String(parts[0]), count))
        }
        return result
    }

    /// A release or config version: `3` or `v3`.
    static func version(_ text: String) throws -> Int {
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        guard let number = Int(digits), number > 0 else { throw CLIError("expected a version like 3 or v3, got '\(text)'") }
        return number
    }

    /// `--since`: an RFC 3339 time, or a duration ago (`10m`, `1h30m`), as RFC 3339.
    static func since(_ text: String, now: Date = Date()) throws -> String {
        if let date = Timestamps.parse(text) { return Timestamps.format(date) }
        if let duration = DurationText(text) {
            return Timestamps.format(now.addingTimeInterval(-Double(duration.milliseconds) / 1000))
        }
        throw CLIError("--since takes a time like 2026-01-05T10:00:00Z or a duration like 10m, got '\(text)'")
    }
}

/// A duration option such as `--timeout 10m` (`500ms`, `30s`, `5m`, `1h`, `1m30s`).
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible, Sendable {
    let text: DurationText

    init?(argument: String) {
        guard let text = DurationText(argument) else { return nil }
        self.text = text
    }

    init(_ text: DurationText) { self.text = text }

    var duration: Duration { text.duration }
    var description: String { text.description }
    var defaultValueDescription: String { text.description }
}
