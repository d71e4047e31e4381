import Foundation
import PvdifyModel
import PvdifySealing
import Testing
@testable import PvdifyAPI

/// `GET /sealing-key` and `spec.sealed_secrets` through `POST /apply` and `PUT /manifest`: values
/// sealed to the recipient land in the app's secrets, never appear in an answer, and one that does
/// not open refuses the whole apply naming its document and field.
@Suite struct SealedSecretsAPITests {
    static let value = "postgres://app:Zq8-s3cret-42@db/app"

    static func recipient(_ api: APIClient) async throws -> AgeRecipient {
        let reply = try await api.get("/api/v1/sealing-key")
        #expect(reply.status == .ok, "\(reply.text)")
        return try AgeRecipient(try #require(reply.json["recipient"]?.stringValue))
    }

    static func seal(_ value: String, to recipient: AgeRecipient) throws -> String {
        String(decoding: try Age.encrypt(Array(value.utf8), to: [recipient], armored: true), as: UTF8.self)
    }

    /// An App document (YAML) with one sealed secret.
    static func document(_ app: String, key: String = "DATABASE_URL", ciphertext: String) -> String {
        let block = ciphertext.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n")
        return "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: \(app)}\nspec:\n  image: reg.io/org/\(app):v1\n"
            + "  sealed_secrets:\n    \(key): |\n\(block)\n"
    }

    /// Changes one base64 character in the middle of the armored body: the file no longer authenticates.
    static func tamper(_ ciphertext: String) -> String {
        var lines = ciphertext.split(separator: "\n").map(String.init)
        var body = Array(lines[1])
        let middle = body.count / 2
        body[middle] = body[middle] == "A" ? "B" : "A"
        lines[1] = String(body)
        return lines.joined(separator: "\n") + "\n"
    }

    func apply(_ api: APIClient, _ yaml: String, dryRun: Bool = false) async throws -> APIClient.Reply {
        try await api.send(.post, "/api/v1/apply" + (dryRun ? "?dry_run=true" : ""), body: yaml, contentType: "application/yaml")
    }

    @Test func theSealingKeyIsAnAgeRecipientForReadTokens() async throws {
        let harness = try await APIHarness.make()
        let reader = try await harness.token("reader", [.read])
        try await harness.run { api in
            let first = try await Self.recipient(api)
            #expect(try await Self.recipient(api) == first)
            let asReader = try await api.get("/api/v1/sealing-key", auth: .bearer(reader))
            #expect(asReader.status == .ok && asReader.json["recipient"]?.stringValue == first.encoded)
            #expect(asReader.json["created_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(try await api.get("/api/v1/sealing-key", auth: .none).status == .unauthorized)
        }
    }

    /// `POST /sealing-key/rotate` and `DELETE /sealing-key/retired` (admin): after a rotation a
    /// value sealed to the old recipient still applies; once the retired pair is forgotten it is
    /// refused, naming the field.
    @Test func aRotatedKeyOpensOldValuesUntilTheRetiredOnesAreForgotten() async throws {
        let harness = try await APIHarness.make()
        let writer = try await harness.token("writer", [.write])
        try await harness.run { api in
            let old = try await Self.recipient(api)
            #expect(try await api.get("/api/v1/sealing-key").json["retired"] == [])
            #expect(try await api.post("/api/v1/sealing-key/rotate", auth: .bearer(writer)).status == .forbidden)
            #expect(try await api.delete("/api/v1/sealing-key/retired", auth: .bearer(writer)).status == .forbidden)

            let rotated = try await api.post("/api/v1/sealing-key/rotate")
            #expect(rotated.status == .created, "\(rotated.text)")
            let new = try AgeRecipient(try #require(rotated.json["recipient"]?.stringValue))
            #expect(new != old)
            #expect(rotated.json["retired"]?[0]?["recipient"]?.stringValue == old.encoded)
            #expect(rotated.json["retired"]?[0]?["retired_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(try await Self.recipient(api) == new)

            let sealedToOld = Self.document("web", ciphertext: try Self.seal(Self.value, to: old))
            #expect(try await apply(api, sealedToOld).status == .ok)
            let forgotten = try await api.delete("/api/v1/sealing-key/retired")
            #expect(forgotten.status == .ok && forgotten.json["forgotten"] == 1, "\(forgotten.text)")
            #expect(try await api.get("/api/v1/sealing-key").json["retired"] == [])
            let refused = try await apply(api, Self.document("web", ciphertext: try Self.seal("another", to: old)))
            #expect(refused.status == .unprocessableContent && refused.errorField == "documents[0].spec.sealed_secrets.DATABASE_URL", "\(refused.text)")
            #expect(try await apply(api, Self.document("web", ciphertext: try Self.seal("another", to: new))).status == .ok)
        }
    }

    @Test func aSealedSecretLandsInTheAppsSecretsAndIsNeverShown() async throws {
        let harness = try await APIHarness.make()
        let store = harness.store
        try await harness.run { api in
            let recipient = try await Self.recipient(api)
            let ciphertext = try Self.seal(Self.value, to: recipient)
            let first = try await apply(api, Self.document("web", ciphertext: ciphertext))
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.json["results"]?[0]?["action"] == "created")
            #expect(first.json["results"]?[0]?["secrets_changed"] == ["DATABASE_URL"])
            #expect(!first.text.contains(Self.value) && !first.text.contains(ciphertext.split(separator: "\n")[1]))

            let config = try await api.get("/api/v1/apps/web/config")
            #expect(config.json["secrets"] == ["DATABASE_URL"] && config.json["vars"]?["DATABASE_URL"] == "[REDACTED]")
            for path in ["/api/v1/apps/web", "/api/v1/apps/web/manifest", "/api/v1/apps/web/config/versions"] {
                #expect(!(try await api.get(path).text.contains(Self.value)), "\(path)")
            }
            let version = try #require(try await store.currentConfig("web")?.version)
            #expect(try await store.resolvedConfig("web", version: version)["DATABASE_URL"] == Self.value)

            // The same value sealed again: unchanged, no new config version or release.
            let resealed = try await apply(api, Self.document("web", ciphertext: try Self.seal(Self.value, to: recipient)))
            #expect(resealed.json["results"]?[0]?["action"] == "unchanged" && resealed.json["results"]?[0]?["secrets_changed"] == [])
            #expect(try await api.get("/api/v1/apps/web/config/versions").json["versions"]?.arrayValue?.count == 1)

            // A new value: the dry run names the key, never the value, and changes nothing.
            let newValue = "postgres://app:N3w-value-77@db/app"
            let changed = Self.document("web", ciphertext: try Self.seal(newValue, to: recipient))
            let dry = try await apply(api, changed, dryRun: true)
            #expect(dry.json["results"]?[0]?["action"] == "configured")
            #expect(dry.json["results"]?[0]?["secrets_changed"] == ["DATABASE_URL"])
            #expect(!dry.text.contains(newValue) && !dry.text.contains(Self.value))
            #expect(try await store.resolvedConfig("web", version: version)["DATABASE_URL"] == Self.value)
            let applied = try await apply(api, changed)
            #expect(applied.json["results"]?[0]?["release"] == 2)
            let newVersion = try #require(try await store.currentConfig("web")?.version)
            #expect(newVersion == version + 1)
            #expect(try await store.resolvedConfig("web", version: newVersion)["DATABASE_URL"] == newValue)

            // PUT /manifest opens them too.
            let put = try await api.send(
                .put, "/api/v1/apps/web/manifest", body: Self.document("web", key: "API_KEY", ciphertext: try Self.seal("k-123", to: recipient)),
                contentType: "application/yaml")
            #expect(put.status == .ok, "\(put.text)")
            #expect(!put.text.contains("k-123"))
            let latest = try #require(try await store.currentConfig("web")?.version)
            #expect(try await store.resolvedConfig("web", version: latest)["API_KEY"] == "k-123")
            #expect(try await store.resolvedConfig("web", version: latest)["DATABASE_URL"] == newValue)
        }
    }

    @Test func aValueThatDoesNotOpenRefusesTheWholeApplyNamingTheField() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let recipient = try await Self.recipient(api)
            let ciphertext = try Self.seal(Self.value, to: recipient)
            let good = Self.document("good", ciphertext: try Self.seal("fine", to: recipient))
            let tampered = try await apply(api, good + "---\n" + Self.document("bad", ciphertext: Self.tamper(ciphertext)))
            #expect(tampered.status == .unprocessableContent, "\(tampered.text)")
            #expect(tampered.errorField == "documents[1].spec.sealed_secrets.DATABASE_URL")
            let message = tampered.json["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("(app 'bad', line ") && message.contains("does not open"), "\(message)")
            #expect(!tampered.text.contains(Self.value))
            #expect(try await api.get("/api/v1/apps/good").status == .notFound)
            #expect(try await api.get("/api/v1/apps/bad").status == .notFound)

            // Sealed to another key: refused, saying so.
            let elsewhere = try Self.seal(Self.value, to: AgeIdentity.generate().recipient)
            let foreign = try await apply(api, Self.document("bad", ciphertext: elsewhere))
            #expect(foreign.status == .unprocessableContent)
            #expect(foreign.json["error"]?["message"]?.stringValue?.contains("sealed to another recipient") == true)
        }
    }
}
