import Foundation
import Testing
@testable import PvdifyModel

/// `spec.sealed_secrets` in an App document: names checked as config keys, values only in the
/// shape of an armored age file and capped; never shown when a manifest is printed.
@Suite struct SealedSecretManifestTests {
    static let armored = """
        -----BEGIN AGE ENCRYPTED FILE-----
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBzZWNyZXQK
        -----END AGE ENCRYPTED FILE-----

        """

    func parse(sealed: [String: JSONValue], config: [String: JSONValue] = [:]) throws -> AppManifest {
        try AppManifest.parse([
            "apiVersion": "pvdify.win/v1", "kind": "App", "metadata": ["name": "web"],
            "spec": ["config": .object(config), "sealed_secrets": .object(sealed)],
        ])
    }

    func refusal(sealed: [String: JSONValue], config: [String: JSONValue] = [:]) -> ValidationError? {
        do {
            _ = try parse(sealed: sealed, config: config)
            return nil
        } catch {
            return error as? ValidationError
        }
    }

    @Test func readsSealedSecretsFromYAMLWithoutOpeningThem() throws {
        let indented = Self.armored.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n")
        let yaml = "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: web}\nspec:\n  secrets: [DB_URL]\n"
            + "  sealed_secrets:\n    DB_URL: |\n\(indented)\n"
        let manifest = try AppManifest.parse(try YAMLDocuments.parseOne(yaml))
        #expect(manifest.sealedSecrets.keys.sorted() == ["DB_URL"])
        #expect(manifest.sealedSecrets["DB_URL"]?.ciphertext == Self.armored)
        #expect(manifest.sealedSecrets["DB_URL"]?.value == nil)
        #expect(manifest.secrets == ["DB_URL"])
    }

    @Test func printingAManifestNeverShowsTheCiphertextOrTheValue() throws {
        var manifest = try parse(sealed: ["TOKEN": .string(Self.armored)])
        manifest.sealedSecrets["TOKEN"]?.value = "opened-value-123"
        var dumped = ""
        dump(manifest, to: &dumped)
        let printed = "\(manifest) \(String(reflecting: manifest.sealedSecrets)) \(dumped)"
        #expect(!printed.contains("YWdlLWVuY3J5cHRpb24"))
        #expect(!printed.contains("opened-value-123"))
        #expect(printed.contains("[SEALED]"))
    }

    @Test func refusesBadNamesAndValuesNamingTheField() {
        #expect(refusal(sealed: ["bad-name": .string(Self.armored)])?.field == "spec.sealed_secrets.bad-name")
        #expect(refusal(sealed: ["PORT": .string(Self.armored)])?.field == "spec.sealed_secrets.PORT")
        let plain = refusal(sealed: ["TOKEN": "hunter2"])
        #expect(plain?.field == "spec.sealed_secrets.TOKEN")
        #expect(plain?.message.contains("armored age file") == true)
        #expect(!(plain?.description.contains("hunter2") ?? true))
        #expect(refusal(sealed: ["TOKEN": .string("\u{A0}" + Self.armored)])?.field == "spec.sealed_secrets.TOKEN")
        #expect(refusal(sealed: ["TOKEN": .null])?.field == "spec.sealed_secrets.TOKEN")
        #expect(refusal(sealed: ["TOKEN": 42])?.field == "spec.sealed_secrets.TOKEN")
        let huge = SealedSecret.armorBeginLine + "\n" + String(repeating: "A", count: SealedSecret.maxCiphertextBytes)
        #expect(refusal(sealed: ["TOKEN": .string(huge)])?.message.contains("longer than 64 KiB") == true)
        let twice = refusal(sealed: ["TOKEN": .string(Self.armored)], config: ["TOKEN": "x"])
        #expect(twice?.field == "spec.sealed_secrets.TOKEN")
        #expect(twice?.message.contains("also a plain var") == true)
    }

    @Test func acceptsTheLargestCiphertextAndLeadingWhitespace() throws {
        let largest = SealedSecret.armorBeginLine + String(repeating: "A", count: SealedSecret.maxCiphertextBytes - 34)
        #expect(largest.utf8.count == SealedSecret.maxCiphertextBytes)
        #expect(try parse(sealed: ["A": .string(largest), "B": .string("\n  " + Self.armored)]).sealedSecrets.count == 2)
    }
}
