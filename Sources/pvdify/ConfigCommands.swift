import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify config NAME`: the app's vars, secrets shown as `[REDACTED]`.
struct ConfigShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show an app's config vars (secrets as [REDACTED]).",
        discussion: """
            EXAMPLE:
              pvdify config myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let config = try await APIClient.configured().get("/apps/\(name)/config")
        if output.json { return Output.printJSON(config) }
        let vars = config["vars"]?.objectValue ?? [:]
        print("=== \(name) config vars (\(Output.cell(config["version"])))")
        if vars.isEmpty { return print("(none) Set some with: pvdify config:set \(name) KEY=VALUE") }
        print(Output.fields(vars.keys.sorted().map { ($0, vars[$0]?.stringValue ?? "") }))
    }
}

/// `pvdify config:set NAME K=V...`: one new config version (and a release, when there is an image).
struct ConfigSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config:set",
        abstract: "Set config vars (a new config version, and a release when the app has an image).",
        discussion: """
            Values are plain config; use config:secret for secrets, so they never appear in argv.

            EXAMPLE:
              pvdify config:set myapp NODE_ENV=production LOG_LEVEL=info
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "KEY=VALUE pairs.")
    var assignments: [String]

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let pairs = try Arguments.assignments(assignments)
        guard !pairs.isEmpty else { throw CLIError("name at least one KEY=VALUE") }
        let vars = JSONValue.object(Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, JSONValue.string($0.value)) }))
        let answer = try await APIClient.configured().patch("/apps/\(name)/config", ["vars": vars])
        if output.json { return Output.printJSON(answer) }
        print(ConfigSet.summary(answer, app: name, verb: "Set", keys: pairs.map(\.key)))
    }

    /// `Set A, B on myapp: config v4, release v7.` (or `no change`).
    static func summary(_ answer: JSONValue, app: String, verb: String, keys: [String]) -> String {
        let changes = answer["changes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !changes.isEmpty else { return "No change to \(app): \(keys.joined(separator: ", ")) already as asked." }
        var text = "\(verb) \(changes.joined(separator: ", ")) on \(app): config \(Output.cell(answer["version"]))"
        if let release = answer["release"]?.intValue { text += ", release v\(release)" }
        return text + "."
    }
}

/// `pvdify config:unset NAME K...`: removes vars (or secrets) in one config version.
struct ConfigUnset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config:unset",
        abstract: "Remove config vars or secrets.",
        discussion: """
            EXAMPLE:
              pvdify config:unset myapp LOG_LEVEL OLD_FLAG
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The keys to remove.")
    var keys: [String]

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        guard !keys.isEmpty else { throw CLIError("name at least one key") }
        let vars = JSONValue.object(Dictionary(keys.map { ($0, JSONValue.null) }, uniquingKeysWith: { first, _ in first }))
        let answer = try await APIClient.configured().patch("/apps/\(name)/config", ["vars": vars])
        if output.json { return Output.printJSON(answer) }
        print(ConfigSet.summary(answer, app: name, verb: "Unset", keys: keys))
    }
}

/// `pvdify config:secret NAME KEY`: the value from standard input or a hidden prompt, never argv.
struct ConfigSecret: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config:secret",
        abstract: "Set a secret (read from standard input or a hidden prompt, never from arguments).",
        discussion: """
            Secrets are stored encrypted and shown as [REDACTED] everywhere.

            EXAMPLES:
              pvdify config:secret myapp STRIPE_KEY
              printf %s "$STRIPE_KEY" | pvdify config:secret myapp STRIPE_KEY
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The secret's name.")
    var key: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        if let problem = Rules.configKey(key) { throw CLIError("secret name '\(key)' \(problem)") }
        let api = try APIClient.configured()
        let value = try Terminal.readSecret(prompt: "Value of \(key) for \(name): ")
        let answer = try await api.post("/apps/\(name)/config/secrets", ["name": .string(key), "value": .string(value)])
        if output.json { return Output.printJSON(answer) }
        var text = "Set secret \(key) on \(name): config \(Output.cell(answer["version"]))"
        if let release = answer["release"]?.intValue { text += ", release v\(release)" }
        print(text + ".")
    }
}

/// `pvdify config:versions NAME`: the config history, newest first.
struct ConfigVersions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config:versions",
        abstract: "List an app's config versions, newest first.",
        discussion: """
            EXAMPLE:
              pvdify config:versions myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps/\(name)/config/versions")
        if output.json { return Output.printJSON(answer) }
        let versions = answer["versions"]?.arrayValue ?? []
        guard !versions.isEmpty else { return print("\(name) has no config versions yet.") }
        print(Output.table(
            ["version", "created", "by", "changes"],
            versions.map {
                [Output.cell($0["version"]), Output.time($0["created_at"]), Output.cell($0["created_by"]), Output.cell($0["changes"])]
            }))
    }
}
