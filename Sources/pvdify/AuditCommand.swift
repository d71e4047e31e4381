import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify audit`: the audit log, newest first (admin only).
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every change and every refused request (needs an admin token).",
        discussion: """
            Each entry shows when, which token, from which address, the method and route, the \\
            app and the HTTP status. Bodies, secret values and token secrets are never recorded.

            EXAMPLES:
              pvdify audit
              pvdify audit --app myapp --since 7d
              pvdify audit --token gh-actions --json
            """)

    @Option(name: .long, help: "Only calls on this app.")
    var app: String?

    @Option(name: .long, help: "Only calls made with this token (id or name).")
    var token: String?

    @Option(name: .long, help: "Only entries since a time (2026-01-05T10:00:00Z) or a duration ago (10m, 12h, 7d).")
    var since: String?

    @Option(name: [.customShort("n"), .long], help: "How many entries (1 to 1000).")
    var limit = 100

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var query: [(String, String)] = [("limit", String(limit))]
        if let app { query.append(("app", app)) }
        if let token { query.append(("token", token)) }
        if let since {
            if let seconds = TokenLifetime.seconds(since) {
                query.append(("since", Timestamps.format(Date().addingTimeInterval(-Double(seconds)))))
            } else {
                query.append(("since", try Arguments.since(since)))
            }
        }
        let answer = try await APIClient.configured().get("/audit", query: query)
        if output.json { return Output.printJSON(answer) }
        print(Output.table(
            ["time", "token", "source", "method", "route", "app", "status"],
            (answer["entries"]?.arrayValue ?? []).map { entry in
                [Output.time(entry["time"]), Output.cell(entry["token_name"]), Output.cell(entry["source"]),
                 Output.cell(entry["method"]), Output.cell(entry["route"]), Output.cell(entry["app"]),
                 "\(Output.cell(entry["status"])) \(Output.cell(entry["outcome"]))"]
            }))
    }
}
