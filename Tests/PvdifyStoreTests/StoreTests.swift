import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// A store in a fresh temporary directory (and on PostgreSQL its own database), removed afterwards.
func withStore(_ backend: StoreBackend = .sqlite, _ body: (Store, URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-store-\(UUID().uuidString)")
    let store = try await backend.openStore(directory: directory)
    do {
        try await body(store, directory)
    } catch {
        // The PostgreSQL driver's description of an error hides the server's message: tell it in full.
        if backend == .postgres { Issue.record("on PostgreSQL: \(String(reflecting: error))") }
        try? store.close()
        try? await backend.removeStore(directory: directory)
        throw error
    }
    try? store.close()
    try await backend.removeStore(directory: directory)
}

@Suite struct StoreTests {
    @Test(arguments: StoreBackend.available) func specChangesBumpGenerationAndStatusIsApart(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let app = try await store.createApp(name: "web", environment: .production)
            #expect(app.generation == 1)
            let same = try await store.updateSpec("web") { $0.processes["web"]?.count = 1 }
            #expect(same.generation == 1)
            let changed = try await store.updateSpec("web") { $0.processes["web"]?.count = 3 }
            #expect(changed.generation == 2)
            try await store.writeStatus("web", AppStatus(observedGeneration: 2, phase: .running))
            let view = try await store.app("web")
            #expect(view.app.generation == 2)
            #expect(view.status?.observedGeneration == 2)
            #expect(view.status?.phase == .running)
            // A release or a config version is a change of desired state too.
            _ = try await store.createRelease("web", image: "reg.io/web:1", by: "t")
            #expect(try await store.app("web").app.generation == 3)
            _ = try await store.changeConfig("web", ["A": .set("1")], by: "t")
            #expect(try await store.app("web").app.generation == 4)
        }
    }

    @Test(arguments: StoreBackend.available) func bindPortsAreLowestFreeAndKeptForLife(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.createApp(name: "a", environment: .production).bindPort == 3000)
            #expect(try await store.createApp(name: "b", environment: .production).bindPort == 3001)
            #expect(try await store.createApp(name: "c", environment: .production).bindPort == 3002)
            try await store.deleteApp("b")
            #expect(try await store.createApp(name: "d", environment: .production).bindPort == 3001)
            #expect(try await store.app("c").app.bindPort == 3002)
            await #expect(throws: StoreError.conflict("App 'a' already exists")) {
                try await store.createApp(name: "a", environment: .production)
            }
        }
    }

    @Test(arguments: StoreBackend.available) func changeFeedSaysWhatChanged(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let feed = store.changes.subscribe()
            var iterator = feed.makeAsyncIterator()
            _ = try await store.createApp(name: "one", environment: .production)
            #expect(await iterator.next() == Change("one", .created))
            try await store.writeStatus("one", AppStatus(phase: .running))
            #expect(await iterator.next() == Change("one", .status))
            _ = try await store.updateSpec("one") { $0.processes["web"]?.count = 1 }  // no change: not announced
            _ = try await store.updateSpec("one") { $0.processes["web"]?.count = 2 }
            #expect(await iterator.next() == Change("one", .spec))
            _ = try await store.createRelease("one", image: "reg.io/x:1", by: "t")
            #expect(await iterator.next() == Change("one", .release))
            let generation = try await store.app("one").app.generation
            _ = try await store.addDomain("one", name: "one.example.com")
            #expect(await iterator.next() == Change("one", .domains))
            // Domains are not what the containers run: `generation` stays.
            #expect(try await store.app("one").app.generation == generation)
            try await store.deleteApp("one")
            #expect(await iterator.next() == Change("one", .deleted))
        }
    }

    @Test(arguments: StoreBackend.available) func aSubscriberGetsOnlyTheKindsItAskedFor(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            var domains = store.changes.subscribe([.domains, .deleted]).makeAsyncIterator()
            _ = try await store.createApp(name: "one", environment: .production)
            _ = try await store.updateSpec("one") { $0.processes["web"]?.count = 3 }
            _ = try await store.changeConfig("one", ["A": .set("1")], by: "t")
            _ = try await store.addDomain("one", name: "one.example.com")
            #expect(await domains.next() == Change("one", .domains))
            try await store.deleteApp("one")
            #expect(await domains.next() == Change("one", .deleted))
        }
    }

    @Test func secretsAreEncryptedAtRest() async throws {
        let secretValue = "sk_live_\(UUID().uuidString)"
        try await withStore { store, directory in
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.changeConfig("web", ["API_KEY": .secret(secretValue), "PLAIN": .set("visible")], by: "t")
            _ = try await store.changeConfig("web", ["OTHER": .set("x")], by: "t")
            #expect(try await store.resolvedConfig("web", version: 2)["API_KEY"] == secretValue)
            let current = try #require(try await store.currentConfig("web"))
            #expect(current.redactedVars["API_KEY"] == "[REDACTED]")
            #expect(current.vars["API_KEY"] == nil)

            var bytes = Data()
            for suffix in ["", "-wal", "-shm"] {
                bytes.append(FileManager.default.contents(atPath: directory.appendingPathComponent("pvdify.sqlite\(suffix)").path) ?? Data())
            }
            #expect(bytes.count > 0)
            #expect(bytes.range(of: Data("visible".utf8)) != nil)  // the check can see plain values
            #expect(bytes.range(of: Data(secretValue.utf8)) == nil)
            #expect(bytes.range(of: Data(secretValue.utf8.dropFirst(8))) == nil)

            let keyFile = directory.appendingPathComponent("secret.key").path
            let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
    }

    @Test func secretKeyFromEnvironment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let box = try SecretBox.load(dataDirectory: directory, environmentKey: key)
        let sealed = try box.seal(["A": "b"])
        #expect(try SecretBox.load(dataDirectory: directory, environmentKey: key).open(sealed) == ["A": "b"])
        #expect(throws: (any Error).self) { try SecretBox.load(dataDirectory: directory, environmentKey: "short").open(sealed) }
        let other = try SecretBox.load(dataDirectory: directory, environmentKey: nil)
        #expect(throws: (any Error).self) { try other.open(sealed) }
    }

    @Test(arguments: StoreBackend.available) func manifestApplyIsIdempotent(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            var spec = AppSpec(image: "reg.io/app:1")
            spec.processes["worker"] = ProcessSpec(command: "work", count: 2)
            let manifest = AppManifest(name: "web", spec: spec, domains: ["web.example.com"], config: ["A": "1"], secrets: [])
            let first = try await store.applyManifest(manifest, by: "t", create: true)
            #expect(first.created)
            #expect(first.release?.version == 1)
            #expect(first.configVersion?.version == 1)
            let second = try await store.applyManifest(manifest, by: "t", create: true)
            #expect(!second.changed)
            #expect(second.release == nil)
            #expect(second.configVersion == nil)
            #expect(second.app.generation == first.app.generation)
            var scaled = manifest
            scaled.spec.processes["worker"]?.count = 3
            let third = try await store.applyManifest(scaled, by: "t", create: true)
            #expect(third.changed)
            #expect(third.release == nil)
            #expect(third.app.generation == first.app.generation + 1)
        }
    }

    @Test(arguments: StoreBackend.available) func tokensAuthenticateByHash(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let (token, secret) = try await store.createToken(name: "ci", scopes: [.deploy], apps: ["web"])
            #expect(try await store.authenticate(secret: secret)?.id == token.id)
            #expect(try await store.authenticate(secret: secret + "x") == nil)
            #expect(try await store.ensureToken(name: "admin", scopes: [.admin], secret: "pvd_boot") == true)
            #expect(try await store.ensureToken(name: "admin", scopes: [.admin], secret: "pvd_boot") == false)
            #expect(try await store.authenticate(secret: "pvd_boot")?.scopes == [.admin])
            try await store.revokeToken(id: token.id)
            #expect(try await store.authenticate(secret: secret) == nil)
        }
    }

    @Test func appLogsAreBoundedAndFiltered() {
        let logs = AppLogs(capacity: 5)
        for index in 0..<8 { logs.append("a", LogLine(process: index % 2 == 0 ? "web.1" : "worker.1", message: "\(index)")) }
        #expect(logs.lines("a", limit: 100).map(\.message) == ["3", "4", "5", "6", "7"])
        #expect(logs.lines("a", limit: 2, process: "web").map(\.message) == ["4", "6"])
        #expect(logs.lines("b", limit: 10).isEmpty)
        logs.drop("a")
        #expect(logs.lines("a", limit: 10).isEmpty)
    }
}
