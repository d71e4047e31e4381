import Foundation
import PvdifyModel
import PvdifyStore
import Testing

/// `pvdify secrets:seal APP KEY` against a real `pvdifyd`: the snippet it prints, pasted under
/// `spec:`, applies with `pvdify apply -f` and opens into the app's secret; `pvdify diff` names a
/// changed secret without its value; the value never reaches the CLI's output.
@Suite(.timeLimit(.minutes(5))) struct SecretsSealCommandTests {
    static let value = "sk_live_Cli-sealed-5512"

    /// The App manifest with the printed snippet under `spec:`.
    static func manifest(_ snippet: String) -> String {
        "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: web}\nspec:\n  image: reg.io/org/web:v1\n"
            + snippet.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  \($0)" }.joined(separator: "\n")
    }

    @Test func theSnippetAppliesAndRoundTrips() async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        let sealed = try await cli.run(["secrets:seal", "web", "STRIPE_KEY"], stdin: Self.value + "\n")
        #expect(sealed.status == 0, "\(sealed)")
        #expect(sealed.stdout.contains("sealed_secrets:\n  STRIPE_KEY: |\n    -----BEGIN AGE ENCRYPTED FILE-----\n"), "\(sealed)")
        #expect(sealed.stdout.hasSuffix("    -----END AGE ENCRYPTED FILE-----\n"))
        #expect(!sealed.stdout.contains(Self.value) && !sealed.stderr.contains(Self.value))

        let file = cli.home.appendingPathComponent("web.yaml")
        try Self.manifest(sealed.stdout).write(to: file, atomically: true, encoding: .utf8)
        let applied = try await cli.run(["apply", "-f", file.path])
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout.contains("app/web created"))
        let store = try daemon.openStore()
        defer { try? store.close() }
        let version = try #require(try await store.currentConfig("web")?.version)
        // The trailing newline of standard input is not part of the value.
        #expect(try await store.resolvedConfig("web", version: version)["STRIPE_KEY"] == Self.value)

        // Unchanged: diff exits 0. Another value: diff exits 1 and names the secret only.
        #expect(try await cli.run(["diff", "-f", file.path]).status == 0)
        let other = try await cli.run(["secrets:seal", "web", "STRIPE_KEY"], stdin: "sk_live_Other-9")
        try Self.manifest(other.stdout).write(to: file, atomically: true, encoding: .utf8)
        let diff = try await cli.run(["diff", "-f", file.path])
        #expect(diff.status == 1, "\(diff)")
        #expect(diff.stdout.contains("app/web: secret STRIPE_KEY: changed"), "\(diff)")
        #expect(!diff.stdout.contains("sk_live_Other-9") && !diff.stdout.contains(Self.value))

        // Bad names are refused before anything is read or sent.
        let badKey = try await cli.run(["secrets:seal", "web", "bad-key"], stdin: "x")
        #expect(badKey.status != 0 && badKey.stderr.contains("secret name 'bad-key'"))
        let json = try await cli.run(["secrets:seal", "web", "TOKEN", "--json"], stdin: "t")
        #expect(json.json["recipient"]?.stringValue?.hasPrefix("age1") == true)
        #expect(json.json["ciphertext"]?.stringValue?.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----") == true)
    }

    /// `sealing-key:rotate`: the file sealed before still applies; `secrets:seal` now seals to the
    /// new recipient; `sealing-key:forget-retired` needs --confirm, after which the old file fails.
    @Test func aRotationKeepsOldSnippetsWorkingUntilTheRetiredKeyIsForgotten() async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        let old = try await cli.run("sealing-key", "--json").json["recipient"]?.stringValue
        let file = cli.home.appendingPathComponent("web.yaml")
        try Self.manifest(try await cli.run(["secrets:seal", "web", "STRIPE_KEY"], stdin: Self.value).stdout)
            .write(to: file, atomically: true, encoding: .utf8)

        let rotated = try await cli.run("sealing-key:rotate")
        #expect(rotated.status == 0 && rotated.stdout.contains("Rotated the sealing key."), "\(rotated)")
        let shown = try await cli.run("sealing-key")
        #expect(shown.stdout.contains("Retired (values sealed to them still open)") && shown.stdout.contains(old ?? "none"), "\(shown)")
        let new = try await cli.run("sealing-key", "--json").json["recipient"]?.stringValue
        #expect(new != nil && new != old)
        #expect(try await cli.run(["secrets:seal", "web", "T", "--json"], stdin: "t").json["recipient"]?.stringValue == new)
        #expect(try await cli.run(["apply", "-f", file.path]).status == 0)

        let unconfirmed = try await cli.run("sealing-key:forget-retired")
        #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("needs --confirm"), "\(unconfirmed)")
        let forgot = try await cli.run("sealing-key:forget-retired", "--confirm")
        #expect(forgot.status == 0 && forgot.stdout.contains("Forgot 1 retired sealing key(s)."), "\(forgot)")
        let refused = try await cli.run(["apply", "-f", file.path])
        #expect(refused.status != 0 && refused.stderr.contains("spec.sealed_secrets.STRIPE_KEY"), "\(refused)")
    }
}
