import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify ps NAME`: process types, desired counts and what is running.
struct PsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List an app's process types, counts and status.",
        discussion: """
            EXAMPLE:
              pvdify ps myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps/\(name)/ps")
        if output.json { return Output.printJSON(answer) }
        let processes = answer["processes"]?.arrayValue ?? []
        print(Output.table(
            ["type", "count", "running", "status", "restarts", "command"],
            processes.map { process in
                [Output.cell(process["type"]), Output.cell(process["count"]), Output.cell(process["running"]),
                 Output.cell(process["status"]), Output.cell(process["restarts"]),
                 process["command"]?.stringValue ?? "(image default)"]
            }))
    }
}

/// `pvdify ps:scale NAME web=3 worker=2`.
struct PsScale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps:scale",
        abstract: "Set how many instances of each process type run.",
        discussion: """
            EXAMPLE:
              pvdify ps:scale myapp web=3 worker=2
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "TYPE=COUNT pairs, counts 0 to 100.")
    var counts: [String]

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let pairs = try Arguments.scale(counts)
        guard !pairs.isEmpty else { throw CLIError("name at least one TYPE=COUNT, like web=2") }
        let body = JSONValue.object(Dictionary(uniqueKeysWithValues: pairs.map { ($0.type, JSONValue.int($0.count)) }))
        let answer = try await APIClient.configured().post("/apps/\(name)/ps/scale", body)
        if output.json { return Output.printJSON(answer) }
        print("Scaling \(name): \(pairs.map { "\($0.type)=\($0.count)" }.joined(separator: " ")).")
    }
}

/// `pvdify ps:restart NAME [TYPE]`: a rolling restart.
struct PsRestart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps:restart",
        abstract: "Restart an app's processes (all types, or one), rolling.",
        discussion: """
            EXAMPLES:
              pvdify ps:restart myapp
              pvdify ps:restart myapp worker
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "Only this process type.")
    var type: String?

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let body: JSONValue? = type.map { ["type": .string($0)] }
        let answer = try await APIClient.configured().post("/apps/\(name)/ps/restart", body)
        if output.json { return Output.printJSON(answer) }
        print("Restarting \(Output.cell(answer["restarted"])) of \(name).")
    }
}
