import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify tokens`: every API token (admin only), without secrets.
struct TokensList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "List API tokens (needs an admin token).",
        discussion: """
            EXAMPLE:
              pvdify tokens
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/tokens")
        if output.json { return Output.printJSON(answer) }
        print(Output.table(
            ["id", "name", "scopes", "apps", "created", "last used", "expires"],
            (answer["tokens"]?.arrayValue ?? []).map { token in
                [Output.cell(token["id"]), Output.cell(token["name"]), Output.cell(token["scopes"]),
                 token["apps"]?.isNull == false ? Output.cell(token["apps"]) : "all",
                 Output.time(token["created_at"]), Output.time(token["last_used_at"]),
                 token["expires_at"]?.isNull == false ? Output.time(token["expires_at"]) : "never"]
            }))
    }
}

/// `pvdify tokens:create NAME --scope deploy [--app myapp] [--expires 30d]`: prints the secret once.
struct TokensCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens:create",
        abstract: "Create an API token; its secret is shown only once.",
        discussion: """
            Scopes nest: read < deploy < write < admin. --app limits the token to apps \
            (repeat it, or separate names with commas); admin tokens cannot be limited. \
            --expires makes the token stop working after a while (30d, 12h, 90m).

            EXAMPLES:
              pvdify tokens:create gh-actions --scope deploy --app myapp --expires 90d
              pvdify tokens:create dashboard --scope read
            """)

    @Argument(help: "A name for the token (shown as created_by on what it makes).")
    var name: String

    @Option(name: .long, help: "read, deploy, write or admin (repeatable).")
    var scope: [String] = []

    @Option(name: .long, help: "Limit the token to this app (repeatable).")
    var app: [String] = []

    @Option(name: .long, help: "Expire the token after this long: 30d, 12h, 90m (default: never).")
    var expires: String?

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        if let expires, TokenLifetime.seconds(expires) == nil {
            throw CLIError("--expires must be a duration like 30d, 12h or 90m (at most 3650d)")
        }
        let scopes = scope.flatMap { $0.split(separator: ",").map(String.init) }
        guard !scopes.isEmpty else { throw CLIError("name at least one --scope: read, deploy, write or admin") }
        let apps = app.flatMap { $0.split(separator: ",").map(String.init) }
        var body: [String: JSONValue] = ["name": .string(name), "scopes": .array(scopes.map(JSONValue.string))]
        if !apps.isEmpty { body["apps"] = .array(apps.map(JSONValue.string)) }
        if let expires { body["expires_in"] = .string(expires) }
        let answer = try await APIClient.configured().post("/tokens", .object(body))
        if output.json { return Output.printJSON(answer) }
        let reach = apps.isEmpty ? "all apps" : "apps \(apps.joined(separator: ", "))"
        print("Created token \(name) (id \(Output.cell(answer["id"]))), scopes \(Output.cell(answer["scopes"])), for \(reach).")
        if answer["expires_at"]?.isNull == false { print("It expires at \(Output.cell(answer["expires_at"])).") }
        print("Its secret, shown only this once:")
        print("")
        print("  \(Output.cell(answer["token"]))")
    }
}

/// `pvdify tokens:revoke ID`.
struct TokensRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens:revoke",
        abstract: "Revoke an API token at once.",
        discussion: """
            EXAMPLE:
              pvdify tokens:revoke 3f2a9c1e
            """)

    @Argument(help: "The token's id (see pvdify tokens).")
    var id: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        try await APIClient.configured().delete("/tokens/\(APIClient.segment(id))")
        if output.json { return Output.printJSON(["revoked": .string(id)]) }
        print("Revoked token \(id).")
    }
}
