import ArgumentParser
import Foundation
import NIOCore
import PvdifyModel

/// `pvdify logs NAME`: recent log lines, or with `-f` a live stream (Server-Sent Events).
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show an app's logs; -f follows them live.",
        discussion: """
            Lines are `TIME PROCESS: MESSAGE`, coloured by process on a terminal (not when \
            output is piped or NO_COLOR is set). Platform events show as process `api`.

            EXAMPLES:
              pvdify logs myapp
              pvdify logs myapp -n 500 -p web --since 10m
              pvdify logs myapp -f
            """)

    @Argument(help: "The app.")
    var name: String

    @Option(name: [.customShort("n"), .long], help: "How many recent lines (1 to 10000).")
    var lines = 100

    @Option(name: [.short, .long], help: "Only this process type (web) or instance (web.1).")
    var process: String?

    @Option(name: .long, help: "Only lines since a time (2026-01-05T10:00:00Z) or a duration ago (10m).")
    var since: String?

    @Flag(name: [.short, .long], help: "Keep streaming new lines until interrupted.")
    var follow = false

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        var query: [(String, String)] = [("lines", String(lines))]
        if let process { query.append(("process", process)) }
        if let since { query.append(("since", try Arguments.since(since))) }
        let painter = Painter(enabled: Terminal.useColor)
        guard follow else {
            let answer = try await api.get("/apps/\(name)/logs", query: query)
            if output.json { return Output.printJSON(answer) }
            for line in answer["lines"]?.arrayValue ?? [] { print(Output.logLine(line, painter: painter)) }
            return
        }
        query.append(("follow", "true"))
        let response = try await api.stream("/apps/\(name)/logs", query: query)
        var events = ServerSentEvents()
        do {
            for try await chunk in response.body {
                for data in events.feed(chunk.readableBytesView) {
                    if output.json {
                        Terminal.line(data)
                    } else if let line = try? JSONValue.parse(json: Data(data.utf8)) {
                        Terminal.line(Output.logLine(line, painter: painter))
                    }
                }
            }
        } catch {
            throw CLIError("the log stream ended: \(error)")
        }
    }
}

/// Splits a Server-Sent Events byte stream into the `data:` payloads of its events; comments
/// (`: heartbeat`) are skipped. Works on bytes, so a chunk may end anywhere (even inside a
/// UTF-8 character or between `\r` and `\n`).
struct ServerSentEvents {
    private var pending: [UInt8] = []
    private var data: [String] = []

    /// Feeds a chunk; returns the payloads of the events it completed.
    mutating func feed(_ chunk: some Sequence<UInt8>) -> [String] {
        pending += chunk
        var complete: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[..<newline]
            pending.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            if text.isEmpty {
                if !data.isEmpty { complete.append(data.joined(separator: "\n")) }
                data = []
            } else if text.hasPrefix("data:") {
                var payload = text.dropFirst(5)
                if payload.hasPrefix(" ") { payload = payload.dropFirst() }
                data.append(String(payload))
            }
        }
        return complete
    }

    mutating func feed(_ text: String) -> [String] { feed(Array(text.utf8)) }
}
