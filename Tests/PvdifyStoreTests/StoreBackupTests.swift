import Foundation
import PvdifyModel
import Testing
@testable import PvdifyStore

/// A backup is one consistent, private copy of the store, and restores into a store that still
/// opens its sealed secrets with the same key.
@Suite struct StoreBackupTests {
    @Test func backupRestoresAppsAndSecretsThatOpenWithTheSameKey() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let original = root.appendingPathComponent("original")
        let box = try SecretBox.load(dataDirectory: original, environmentKey: nil)
        let store = try Store(dataDirectory: original, secrets: box)
        _ = try await store.createApp(name: "web", environment: .production)
        let result = try await store.changeConfig("web", ["PLAIN": .set("1"), "TOKEN": .secret("s3cret")], by: "t")
        let version = try #require(result.version?.version)

        let copy = root.appendingPathComponent("pvdify-copy.sqlite")
        try Store.backup(dataDirectory: original, to: copy)
        var info = stat()
        #expect(stat(copy.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(throws: StoreError.self) { try Store.backup(dataDirectory: original, to: copy) }  // never overwrites
        // Written after the backup: not in it.
        _ = try await store.createApp(name: "later", environment: .production)
        try store.close()

        let restoredDirectory = root.appendingPathComponent("restored")
        try FileManager.default.createDirectory(at: restoredDirectory, withIntermediateDirectories: true)
        try Store.restore(from: copy, into: restoredDirectory)
        #expect(try Store.appCount(inDatabase: restoredDirectory.appendingPathComponent("pvdify.sqlite")) == 1)
        let restored = try Store(dataDirectory: restoredDirectory, secrets: box)
        #expect(try await restored.resolvedConfig("web", version: version) == ["PLAIN": "1", "TOKEN": "s3cret"])
        try restored.close()

        // Another key cannot open them: the backup alone does not give the secrets away.
        let wrongBox = try SecretBox.load(dataDirectory: root.appendingPathComponent("other-key"), environmentKey: nil)
        let wrongKey = try Store(dataDirectory: restoredDirectory, secrets: wrongBox)
        defer { try? wrongKey.close() }
        await #expect(throws: (any Error).self) { try await wrongKey.resolvedConfig("web", version: version) }
    }

    @Test func restoreRefusesAFileThatIsNotAStore() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let junk = root.appendingPathComponent("junk.sqlite")
        try Data("not a database".utf8).write(to: junk)
        #expect(throws: (any Error).self) { try Store.restore(from: junk, into: root) }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("pvdify.sqlite").path))
    }
}
