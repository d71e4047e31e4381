import Foundation
import PvdifyModel
import PvdifySealing
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// The sealing key pair: made once, kept encrypted in the store (so a backup carries it and only
/// the secret key opens it), and what opens sealed secrets into an app's secrets on apply.
@Suite struct SealingKeyTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-sealing-\(UUID().uuidString)")

    func sealed(_ value: String, to key: SealingKey) throws -> SealedSecret {
        let armored = try Age.encrypt(Array(value.utf8), to: [try AgeRecipient(key.recipient)], armored: true)
        return SealedSecret(ciphertext: String(decoding: armored, as: UTF8.self))
    }

    func manifest(_ secrets: [String: SealedSecret]) -> AppManifest {
        AppManifest(name: "web", spec: AppSpec(image: "reg.io/web:v1"), domains: [], config: ["PLAIN": "1"], secrets: [], sealedSecrets: secrets)
    }

    @Test(arguments: StoreBackend.available) func theKeyIsMadeOnceKeptAndOpensOnlyWithTheSecretKey(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, directory in
            async let first = store.sealingKey()
            async let second = store.sealingKey()
            let (one, two) = try await (first, second)
            #expect(one.recipient == two.recipient)
            #expect(try AgeRecipient(one.recipient).encoded == one.recipient)
            #expect("\(one)" == "SealingKey(\(one.recipient))")
            try store.close()

            let reopened = try await backend.openStore(directory: directory)
            #expect(try await reopened.sealingKey().recipient == one.recipient)
            try reopened.close()

            // Another secret key cannot open it.
            let otherBox = try SecretBox.load(dataDirectory: root.appendingPathComponent("other"), environmentKey: nil)
            defer { try? FileManager.default.removeItem(at: root) }
            let wrong = try await backend.openStore(directory: directory, secrets: otherBox)
            defer { try? wrong.close() }
            await #expect(throws: (any Error).self) { try await wrong.sealingKey() }
        }
    }

    /// The database file and its backup are SQLite's alone (PostgreSQL has its own backups).
    @Test func thePrivateHalfIsNotInTheSQLiteFileInClearAndSurvivesABackup() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("data")
        let box = try SecretBox.load(dataDirectory: directory, environmentKey: nil)
        let store = try Store(dataDirectory: directory, secrets: box)
        let one = try await store.sealingKey()
        try store.close()

        // The private half is not in the database files in clear (the recipient, public, is).
        var bytes = Data()
        for name in ["pvdify.sqlite", "pvdify.sqlite-wal"] {
            bytes += (try? Data(contentsOf: directory.appendingPathComponent(name))) ?? Data()
        }
        #expect(bytes.range(of: Data("AGE-SECRET-KEY-".utf8)) == nil)
        #expect(bytes.range(of: Data(one.recipient.utf8)) != nil)

        let copy = root.appendingPathComponent("backup.sqlite")
        try Store.backup(dataDirectory: directory, to: copy)
        let restoredDirectory = root.appendingPathComponent("restored")
        try FileManager.default.createDirectory(at: restoredDirectory, withIntermediateDirectories: true)
        try Store.restore(from: copy, into: restoredDirectory)
        let restored = try Store(dataDirectory: restoredDirectory, secrets: box)
        let restoredKey = try await restored.sealingKey()
        #expect(restoredKey.recipient == one.recipient)
        // It still opens what was sealed to the original server.
        let opened = try restoredKey.open(manifest(["TOKEN": try sealed("t0ken", to: one)]))
        #expect(opened.sealedSecrets["TOKEN"]?.value == "t0ken")
        try restored.close()

        // Another secret key cannot open the restored copy either.
        let otherBox = try SecretBox.load(dataDirectory: root.appendingPathComponent("other"), environmentKey: nil)
        let wrong = try Store(dataDirectory: restoredDirectory, secrets: otherBox)
        defer { try? wrong.close() }
        await #expect(throws: (any Error).self) { try await wrong.sealingKey() }
    }

    @Test(arguments: StoreBackend.available) func applyingSetsTheOpenedValueOnceAndKeepsItWhenTheKeyLeaves(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let key = try await store.sealingKey()

            let created = try await store.applyManifests(
                [try key.open(manifest(["TOKEN": try sealed("first", to: key)]))], by: "t", dryRun: false)
            let version = try #require(created.apps[0].result.configVersion)
            #expect(version.secretNames == ["TOKEN"] && version.changes.sorted() == ["PLAIN", "TOKEN"])
            #expect(try await store.resolvedConfig("web", version: version.version) == ["PLAIN": "1", "TOKEN": "first"])

            // The same value sealed again is another ciphertext, and changes nothing.
            let again = try await store.applyManifests([try key.open(manifest(["TOKEN": try sealed("first", to: key)]))], by: "t", dryRun: false)
            #expect(again.apps[0].result.changed == false && again.apps[0].result.configVersion == nil)

            // A new value: a config version naming the key, and a release (the app has an image).
            let changed = try await store.applyManifests([try key.open(manifest(["TOKEN": try sealed("second", to: key)]))], by: "t", dryRun: false)
            let second = try #require(changed.apps[0].result.configVersion)
            #expect(second.changes == ["TOKEN"])
            #expect(changed.apps[0].result.release != nil)
            #expect(try await store.resolvedConfig("web", version: second.version)["TOKEN"] == "second")

            // Leaving the key out keeps the secret, as with spec.secrets.
            let left = try await store.applyManifests([manifest([:])], by: "t", dryRun: false)
            #expect(left.apps[0].result.changed == false)
            #expect(try await store.currentConfig("web")?.secretNames == ["TOKEN"])
        }
    }

    /// A rotation: new values go to the new recipient, values sealed to the old one still open
    /// (the old pair is retired, kept sealed like the current one) until the retired pairs are
    /// forgotten, and a rotation that lost a race to another is a conflict.
    @Test(arguments: StoreBackend.available) func aRotatedKeyStillOpensOldValuesUntilItIsForgotten(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, directory in
            let first = try await store.sealingKey()
            let old = manifest(["TOKEN": try sealed("before", to: first)])

            let second = try await store.rotateSealingKey()
            #expect(second.recipient != first.recipient)
            #expect(second.retired.map(\.recipient) == [first.recipient])
            #expect(second.retired.first?.createdAt == first.createdAt)
            #expect(try await store.sealingKey().recipient == second.recipient)
            #expect(try second.open(old).sealedSecrets["TOKEN"]?.value == "before")
            #expect(try second.open(manifest(["TOKEN": try sealed("after", to: second)])).sealedSecrets["TOKEN"]?.value == "after")

            // Reopened with the same secret key: both pairs are there, newest retired first.
            try store.close()
            let reopened = try await backend.openStore(directory: directory)
            let third = try await reopened.rotateSealingKey()
            #expect(third.retired.map(\.recipient) == [second.recipient, first.recipient])
            #expect(try third.open(old).sealedSecrets["TOKEN"]?.value == "before")

            #expect(try await reopened.forgetRetiredSealingKeys() == 2)
            let current = try await reopened.sealingKey()
            #expect(current.recipient == third.recipient && current.retired.isEmpty)
            #expect(throws: ValidationError.self) { try current.open(old) }
            #expect(try await reopened.forgetRetiredSealingKeys() == 0)

            // Two rotations at once: both answer (one may be a conflict), and the key that stays
            // current retired every one before it.
            async let one = try? reopened.rotateSealingKey()
            async let two = try? reopened.rotateSealingKey()
            let answers = await [one, two].compactMap { $0 }
            #expect(!answers.isEmpty)
            let final = try await reopened.sealingKey()
            #expect(final.retired.contains { $0.recipient == third.recipient })
            #expect(!final.retired.contains { $0.recipient == final.recipient })
            try reopened.close()
        }
    }

    @Test(arguments: StoreBackend.available) func aSealedSecretNotOpenedIsRefused(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let key = try await store.sealingKey()
            await #expect(throws: ManifestBatchError.self) {
                _ = try await store.applyManifests([manifest(["TOKEN": try sealed("x", to: key)])], by: "t", dryRun: false)
            }
            #expect(try await store.appNames().isEmpty)
        }
    }
}
