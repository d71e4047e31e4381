import Foundation
import PvdifyModel
import PvdifyTestSupport
import Synchronization
import Testing
@testable import PvdifyStore

/// Two pvdifyd on one PostgreSQL database: what one writes reaches the other's change feed and
/// view cache (LISTEN/NOTIFY), and nobody hears its own changes twice.
@Suite struct SharedChangeFeedTests {
    @Test(.enabled(if: StoreBackend.serverURL != nil)) func aWriteOnOneReplicaWakesTheOther() async throws {
        let (name, url) = try await TestPostgres.createDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-shared-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let secrets = try SecretBox.load(dataDirectory: directory, environmentKey: nil)
        let location = try PostgresLocation(url: url)
        let writer = Store(database: try await PostgreSQLDatabase(location: location, readers: 1), secrets: secrets)
        let follower = Store(database: try await PostgreSQLDatabase(location: location, readers: 1), secrets: secrets)
        do {
            let heard = Heard(follower.changes.subscribe())
            let own = writer.changes.subscribe()
            _ = try await writer.createApp(name: "web", environment: .production)
            // The follower's listener connects in the background: write until it hears one.
            var generation = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while heard.changes.isEmpty, ContinuousClock.now < deadline {
                generation += 1
                try await writer.updateStatus("web") { [generation] in $0.observedGeneration = generation }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(heard.changes.allSatisfy { $0.app == "web" && [.created, .status].contains($0.kind) })
            // A view the follower cached is emptied by the writer's next status change.
            #expect(try await follower.app("web").status != nil)
            let before = heard.changes.count
            try await writer.updateStatus("web") { $0.observedGeneration = 100 }
            while heard.changes.count == before, ContinuousClock.now < deadline + .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(heard.changes.last == Change("web", .status))
            #expect(try await follower.app("web").status?.observedGeneration == 100)
            // The writer heard each of its own changes once (locally), never again from the database.
            try await Task.sleep(for: .milliseconds(300))
            writer.changes.finish()
            var ownChanges: [Change] = []
            for await change in own { ownChanges.append(change) }
            #expect(ownChanges == [Change("web", .created)] + Array(repeating: Change("web", .status), count: generation + 1))
                } catch {
            try? writer.close()
            try? follower.close()
            try? await TestPostgres.dropDatabase(name)
            throw error
        }
        try? writer.close()
        try? follower.close()
        try await TestPostgres.dropDatabase(name)
    }
}

/// The changes a feed delivered so far, collected in the background until the feed ends.
final class Heard: Sendable {
    private let collected = Mutex<[Change]>([])

    init(_ stream: AsyncStream<Change>) {
        Task { [self] in
            for await change in stream { collected.withLock { $0.append(change) } }
        }
    }

    var changes: [Change] { collected.withLock { $0 } }
}
