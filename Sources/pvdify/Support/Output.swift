import ArgumentParser
import Foundation
import PvdifyModel

/// `--json`, shared by every command: print the API's JSON instead of text for people.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the API's JSON answer instead of text, for scripts.")
    var json = false
}

/// Text for people: tables, `key: value` blocks and JSON, written to standard output.
enum Output {
    /// JSON pretty-printed with sorted keys, as `--json` prints it.
    static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func printJSON(_ value: JSONValue) { print(json(value)) }

    /// Columns separated by two spaces, headers in capitals; the last column is not padded.
    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        let all = [headers.map { $0.uppercased() }] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    /// `key: value` lines with the values aligned.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = (pairs.map { $0.0.count }.max() ?? 0) + 1
        return pairs.map { key, value in "\((key + ":").padding(toLength: width, withPad: " ", startingAt: 0)) \(value)" }
            .joined(separator: "\n")
    }

    /// A JSON value as a table cell: strings bare, null as `-`, lists joined with commas.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "-"
        case .string(let text)?: return text.isEmpty ? "-" : text
        case .int(let number)?: return String(number)
        case .double(let number)?: return number == number.rounded() ? String(Int(number)) : String(number)
        case .bool(let flag)?: return flag ? "yes" : "no"
        case .array(let items)?: return items.isEmpty ? "-" : items.map { cell($0) }.joined(separator: ", ")
        case .object(let fields)?:
            return fields.isEmpty ? "-" : fields.keys.sorted().map { "\($0)=\(cell(fields[$0]))" }.joined(separator: ", ")
        }
    }

    /// `2026-01-05T10:30:00Z` as `2026-01-05 10:30:00`.
    static func time(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue else { return "-" }
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    /// A deploy-log line (`2026-01-05T10:30:00Z Started web.1 ...`) without its timestamp.
    static func deployLogMessage(_ line: String) -> String {
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, Timestamps.parse(String(parts[0])) != nil else { return line }
        return String(parts[1])
    }

    /// One app log line: `2026-01-05T10:30:00Z web.1: message`, the process coloured.
    static func logLine(_ line: JSONValue, painter: Painter) -> String {
        let time = line["timestamp"]?.stringValue ?? ""
        let process = line["process"]?.stringValue ?? "?"
        let message = line["message"]?.stringValue ?? ""
        return "\(painter.dim(time)) \(painter.process(process)): \(message)"
    }

    /// What an apply or a source sync would change in one app: its manifest diff, coloured, then
    /// each secret it sets or changes, by name only (values never reach the API's answer).
    static func appChanges(_ result: JSONValue, painter: Painter) -> [String] {
        var lines: [String] = []
        if let diff = result["diff"]?.stringValue, !diff.isEmpty {
            lines.append(coloredDiff(diff.hasSuffix("\n") ? String(diff.dropLast()) : diff, painter: painter))
        }
        for key in result["secrets_changed"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            lines.append("app/\(cell(result["name"])): secret \(key): changed")
        }
        return lines
    }

    /// A unified diff with removed lines red and added lines green.
    static func coloredDiff(_ diff: String, painter: Painter) -> String {
        guard painter.enabled else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return painter.bold(String(line)) }
            if line.hasPrefix("@@") { return painter.cyan(String(line)) }
            if line.hasPrefix("+") { return painter.green(String(line)) }
            if line.hasPrefix("-") { return painter.red(String(line)) }
            return String(line)
        }.joined(separator: "\n")
    }
}
