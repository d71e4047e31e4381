import Foundation
import PvdifyModel
import PvdifyStore
import Testing

/// A sealed secret kept in a source's repository (`file://`), sealed by the `age` command to the
/// daemon's recipient: a sync opens it into the app's secrets; a dry run names a secret a commit
/// changes, never its value; a changed ciphertext fails the sync naming the file, line and field,
/// and applies nothing from that commit.
@Suite(.serialized, .enabled(if: AgeCommandLine.isInstalled, "needs the age command (Debian package age)"))
struct GitOpsSealedSecretsTests {
    static let value = "sk_live_Gx7-from-git-3301"

    static func manifest(_ ciphertext: String) -> String {
        let block = ciphertext.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n")
        return GitFixture.app("web") + "  sealed_secrets:\n    STRIPE_KEY: |\n\(block)\n"
    }

    @Test func aSealedSecretInTheRepositoryLandsInTheAppsSecrets() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let daemon = gitops.daemon
        let recipient = try await AgeCommandLine.recipient(daemon)
        let ciphertext = try await AgeCommandLine.seal(Self.value, recipient: recipient, in: repo.directory)
        let first = try await repo.commit(["apps/web.yaml": Self.manifest(ciphertext)])
        try await gitops.addSource("platform", url: repo.url)
        let synced = try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        #expect(synced["status"]?["history"]?[0]?["created"] == ["web"])
        let config = try await gitops.send("GET", "/api/v1/apps/web/config").json
        #expect(config["secrets"] == ["STRIPE_KEY"] && config["vars"]?["STRIPE_KEY"] == "[REDACTED]")
        let store = try Store(dataDirectory: daemon.dataDirectory, secrets: try SecretBox.load(dataDirectory: daemon.dataDirectory, environmentKey: nil))
        defer { try? store.close() }
        let version = try #require(try await store.currentConfig("web")?.version)
        #expect(try await store.resolvedConfig("web", version: version)["STRIPE_KEY"] == Self.value)

        // The same value sealed again in a new commit changes nothing.
        let resealed = try await repo.commit(["apps/web.yaml": Self.manifest(try await AgeCommandLine.seal(Self.value, recipient: recipient, in: repo.directory))])
        let unchanged = try await gitops.waitFor("platform", revision: resealed, reason: "Succeeded")
        #expect(unchanged["status"]?["history"]?[0]?["unchanged"] == ["web"])
        #expect(try await store.currentConfig("web")?.version == version)

        // A new value, previewed while the source is suspended: the dry run names the secret it
        // would change and never shows the value; resumed, the sync applies it.
        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"suspend":true}"#).status == 200)
        let newValue = "sk_live_Qm4-rotated-7710"
        let rotated = try await repo.commit(["apps/web.yaml": Self.manifest(try await AgeCommandLine.seal(newValue, recipient: recipient, in: repo.directory))])
        let preview = try await gitops.send("POST", "/api/v1/sources/platform/sync?dry_run=true")
        #expect(preview.status == 200 && preview.json["revision"]?.stringValue == rotated, "\(preview)")
        #expect(preview.json["results"]?[0]?["action"] == "configured", "\(preview)")
        #expect(preview.json["results"]?[0]?["secrets_changed"] == ["STRIPE_KEY"], "\(preview)")
        #expect(!"\(preview.json)".contains(newValue))
        #expect(try await store.resolvedConfig("web", version: version)["STRIPE_KEY"] == Self.value)
        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"suspend":false}"#).status == 200)
        _ = try await gitops.waitFor("platform", revision: rotated, reason: "Succeeded")
        let rotatedVersion = try #require(try await store.currentConfig("web")?.version)
        #expect(try await store.resolvedConfig("web", version: rotatedVersion)["STRIPE_KEY"] == newValue)

        // One character changed: ValidationFailed naming file, line and field; nothing applied.
        var lines = ciphertext.split(separator: "\n").map(String.init)
        var body = Array(lines[1])
        body[20] = body[20] == "A" ? "B" : "A"
        lines[1] = String(body)
        let broken = try await repo.commit(["apps/web.yaml": Self.manifest(lines.joined(separator: "\n")), "apps/api.yaml": GitFixture.app("api")])
        let failed = try await gitops.waitFor("platform", revision: broken, reason: "ValidationFailed")
        let message = failed["status"]?["conditions"]?[0]?["message"]?.stringValue ?? ""
        #expect(message.contains("apps/web.yaml:9:") || message.contains("apps/web.yaml:10:"), "\(message)")
        #expect(message.contains("spec.sealed_secrets.STRIPE_KEY: does not open"), "\(message)")
        #expect(failed["status"]?["last_applied_revision"]?.stringValue == rotated)
        #expect(try await gitops.appExists("api") == false)

        let shown = try await gitops.send("GET", "/api/v1/sources/platform").json
        #expect(!"\(shown)".contains(Self.value) && !"\(shown)".contains(newValue))
        #expect(!daemon.log.contains(Self.value) && !daemon.log.contains(newValue))
    }
}
