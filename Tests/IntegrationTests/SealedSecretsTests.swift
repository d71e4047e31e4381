import Foundation
import PvdifyModel
import PvdifyStore
import Testing

/// Sealed secrets through a real `pvdifyd`: a value sealed by Debian's `age` command to the
/// daemon's recipient opens there and lands in the app's encrypted secrets, and it never appears
/// in clear in an answer, the audit log or the daemon's log; a changed ciphertext applies nothing.
@Suite(.enabled(if: AgeCommandLine.isInstalled, "needs the age command (Debian package age)"))
struct SealedSecretsTests {
    static let value = "postgres://app:Vq3-sealed-by-age-91@db.internal/app"

    /// One App document with one sealed secret, as the JSON body of `POST /apply`.
    static func applyBody(_ app: String, key: String = "DATABASE_URL", ciphertext: String) -> String {
        let document: JSONValue = [
            "apiVersion": "pvdify.win/v1", "kind": "App", "metadata": ["name": .string(app)],
            "spec": ["image": "127.0.0.1:5000/pvdify-test:v1", "sealed_secrets": [key: .string(ciphertext)]],
        ]
        let body: JSONValue = ["documents": [document]]
        return String(decoding: body.serialized(), as: UTF8.self)
    }

    @Test func aValueSealedByTheAgeCommandOpensInTheDaemonAndIsNeverShown() async throws {
        let daemon = DaemonProcess(environment: ["PVDIFY_RATE_LIMIT": "100000"])
        try await daemon.start()
        defer { daemon.cleanUp() }
        let scratch = daemon.dataDirectory.appendingPathComponent("test-scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let recipient = try await AgeCommandLine.recipient(daemon)
        let ciphertext = try await AgeCommandLine.seal(Self.value, recipient: recipient, in: scratch)
        #expect(ciphertext.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        let token = daemon.adminToken
        var answers: [String] = []

        let dryRun = try await HTTP.request(
            "POST", daemon.baseURL + "/api/v1/apply?dry_run=true", token: token, json: Self.applyBody("web", ciphertext: ciphertext))
        #expect(dryRun.status == 200, "\(dryRun.body)")
        let dryResult = try JSONValue.parse(json: Data(dryRun.body.utf8))["results"]?[0]
        #expect(dryResult?["action"] == "created" && dryResult?["secrets_changed"] == ["DATABASE_URL"])
        answers.append(dryRun.body)

        let applied = try await HTTP.request("POST", daemon.baseURL + "/api/v1/apply", token: token, json: Self.applyBody("web", ciphertext: ciphertext))
        #expect(applied.status == 200, "\(applied.body)")
        answers.append(applied.body)
        for path in ["/api/v1/apps/web", "/api/v1/apps/web/manifest", "/api/v1/apps/web/config", "/api/v1/audit?limit=1000"] {
            let reply = try await HTTP.request("GET", daemon.baseURL + path, token: token)
            #expect(reply.status == 200, "\(path): \(reply.body)")
            answers.append(reply.body)
        }
        let config = try JSONValue.parse(json: Data(answers[4].utf8))
        #expect(config["secrets"] == ["DATABASE_URL"] && config["vars"]?["DATABASE_URL"] == "[REDACTED]")

        // The daemon's own store (opened beside it, as the container reconciler reads it) holds the value.
        let store = try Store(dataDirectory: daemon.dataDirectory, secrets: try SecretBox.load(dataDirectory: daemon.dataDirectory, environmentKey: nil))
        let version = try #require(try await store.currentConfig("web")?.version)
        #expect(try await store.resolvedConfig("web", version: version)["DATABASE_URL"] == Self.value)

        // A ciphertext changed by one character: 422 naming the field, nothing applied.
        var lines = ciphertext.split(separator: "\n").map(String.init)
        var body = Array(lines[1])
        body[10] = body[10] == "A" ? "B" : "A"
        lines[1] = String(body)
        let tampered = try await HTTP.request(
            "POST", daemon.baseURL + "/api/v1/apply", token: token,
            json: Self.applyBody("other", ciphertext: lines.joined(separator: "\n") + "\n"))
        #expect(tampered.status == 422, "\(tampered.body)")
        let error = try JSONValue.parse(json: Data(tampered.body.utf8))["error"]
        #expect(error?["field"] == "documents[0].spec.sealed_secrets.DATABASE_URL")
        #expect(error?["message"]?.stringValue?.contains("does not open with this server's sealing key") == true)
        answers.append(tampered.body)
        #expect(try await HTTP.request("GET", daemon.baseURL + "/api/v1/apps/other", token: token).status == 404)

        for answer in answers { #expect(!answer.contains(Self.value), "\(answer)") }
        try await daemon.stop()
        try store.close()
        #expect(!daemon.log.contains(Self.value))
        #expect(!daemon.log.contains(lines[2]))
        #expect(daemon.log.contains(recipient), "the daemon logs its recipient at start")

        // A restart keeps the key pair: what was sealed before still opens.
        try await daemon.start()
        #expect(try await AgeCommandLine.recipient(daemon) == recipient)
        let again = try await HTTP.request("POST", daemon.baseURL + "/api/v1/apply", token: token, json: Self.applyBody("web", ciphertext: ciphertext))
        let action = try JSONValue.parse(json: Data(again.body.utf8))["results"]?[0]?["action"]
        #expect(again.status == 200 && action == "unchanged", "\(again.body)")
    }
}
