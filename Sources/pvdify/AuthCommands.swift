import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify login`: checks a token against the API and stores it with the URL.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Store the API URL and a token (checked with the API first).",
        discussion: """
            The token is read from --token, from standard input when it is piped, or from a \
            hidden prompt. It is stored in ~/.config/pvdify/config.yaml (mode 0600). \
            PVDIFY_API_URL and PVDIFY_TOKEN, when set, override what is stored.

            EXAMPLES:
              pvdify login --api-url http://127.0.0.1:9443
              cat /var/lib/pvdify/admin-token | pvdify login --api-url http://127.0.0.1:9443
            """)

    @Option(name: .long, help: "The API's URL (default: PVDIFY_API_URL, the stored URL, or http://127.0.0.1:9443).")
    var apiURL: String?

    @Option(name: .long, help: "The token (prefer standard input or the prompt: argv is visible to other users).")
    var token: String?

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var stored = try Settings.load()
        let url = Settings.normalize(
            apiURL ?? ProcessInfo.processInfo.environment["PVDIFY_API_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? stored.apiURL ?? Settings.defaultAPIURL)
        let secret: String
        if let token {
            secret = token
        } else if Terminal.stdinIsTTY {
            secret = try Terminal.prompt("Token for \(url): ", hidden: true)
        } else {
            secret = Terminal.readStandardInput()
        }
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw CLIError("no token given") }
        let whoami = try await APIClient(apiURL: url, token: trimmed).get("/whoami")
        stored.apiURL = url
        stored.token = trimmed
        try stored.save()
        if output.json { return Output.printJSON(whoami) }
        print("Logged in to \(url) as \(Output.cell(whoami["name"])) (scopes: \(Output.cell(whoami["scopes"]))).")
        print("Saved to \(Settings.fileURL.path).")
    }
}

/// `pvdify logout`: forgets the stored token (the URL stays).
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Forget the stored token.",
        discussion: """
            EXAMPLE:
              pvdify logout
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var stored = try Settings.load()
        let hadToken = stored.token != nil
        stored.token = nil
        if FileManager.default.fileExists(atPath: Settings.fileURL.path) { try stored.save() }
        if output.json { return Output.printJSON(["logged_out": .bool(hadToken)]) }
        print(hadToken ? "Logged out of \(stored.apiURL ?? Settings.defaultAPIURL)." : "Not logged in.")
        if ProcessInfo.processInfo.environment["PVDIFY_TOKEN"] != nil {
            print("Note: PVDIFY_TOKEN is set in the environment and is still used.")
        }
    }
}

/// `pvdify whoami`: the token in use, its scopes and apps.
struct WhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the token in use: its name, scopes and apps.",
        discussion: """
            EXAMPLE:
              pvdify whoami
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let whoami = try await api.get("/whoami")
        if output.json { return Output.printJSON(whoami) }
        print(Output.fields([
            ("token", Output.cell(whoami["name"])),
            ("id", Output.cell(whoami["id"])),
            ("scopes", Output.cell(whoami["scopes"])),
            ("apps", whoami["apps"]?.isNull == false ? Output.cell(whoami["apps"]) : "all"),
            ("api", api.apiURL),
        ]))
    }
}
