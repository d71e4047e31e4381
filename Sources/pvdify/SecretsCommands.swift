import ArgumentParser
import Foundation
import PvdifyModel
import PvdifySealing

/// `pvdify secrets:seal APP KEY`: seals a value (from standard input or a hidden prompt) to the
/// server's sealing key and prints the manifest snippet that carries it, safe to commit to git.
struct SecretsSeal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets:seal",
        abstract: "Seal a secret value to the server's key and print a manifest snippet (safe to keep in git).",
        discussion: """
            The value is read from standard input (one trailing newline removed) or a hidden \
            prompt, never from arguments. It is encrypted here with the age format to the \
            server's recipient (GET /api/v1/sealing-key); only that server can open it. Paste the \
            snippet under spec: in the app's manifest; apply, diff and source syncs open it into \
            the app's secrets. The same value can also be sealed with the age command: \
            printf %s "$VALUE" | age -a -r <recipient>.

            EXAMPLES:
              printf %s "$STRIPE_KEY" | pvdify secrets:seal myapp STRIPE_KEY >> sealed.yaml
              pvdify secrets:seal myapp DATABASE_URL
            """)

    @Argument(help: "The app the secret is for.")
    var app: String

    @Argument(help: "The secret's name.")
    var key: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        if let problem = Rules.appName(app, maxLength: 63) { throw CLIError("app name '\(app)' \(problem)") }
        if let problem = Rules.configKey(key) { throw CLIError("secret name '\(key)' \(problem)") }
        let api = try APIClient.configured()
        let value = try Terminal.readSecret(prompt: "Value of \(key) for \(app): ")
        if let problem = Rules.configValue(value) { throw CLIError("the value \(problem)") }
        let answer = try await api.get("/sealing-key")
        guard let text = answer["recipient"]?.stringValue, let recipient = try? AgeRecipient(text) else {
            throw CLIError("the server did not answer an age recipient for its sealing key")
        }
        let sealed = String(decoding: try Age.encrypt(Array(value.utf8), to: [recipient], armored: true), as: UTF8.self)
        if output.json {
            return Output.printJSON([
                "app": .string(app), "name": .string(key), "recipient": .string(recipient.encoded), "ciphertext": .string(sealed),
            ])
        }
        print(Self.snippet(app: app, key: key, recipient: recipient.encoded, ciphertext: sealed), terminator: "")
    }

    /// `sealed_secrets:` with the key and the armored ciphertext as a YAML block scalar, to paste
    /// under `spec:` (two spaces in).
    static func snippet(app: String, key: String, recipient: String, ciphertext: String) -> String {
        var text = "# spec.sealed_secrets of app '\(app)', sealed to \(recipient)\n"
        text += "sealed_secrets:\n  \(key): |\n"
        for line in ciphertext.split(separator: "\n") { text += "    \(line)\n" }
        return text
    }
}
