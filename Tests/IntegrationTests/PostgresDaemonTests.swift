import Foundation
import PvdifyTestSupport
import Testing

/// The real `pvdifyd` with its store in PostgreSQL (`--database` through `PVDIFY_DATABASE_URL`),
/// on the tests' server (hack/postgres.sh), in a database of its own.
@Suite(.serialized) struct PostgresDaemonTests {
    @Test(.enabled(if: TestPostgres.serverURL != nil))
    func writesAreReadBackFromPostgreSQLAcrossAKill() async throws {
        let (name, url) = try await TestPostgres.createDatabase()
        let password = try #require(URLComponents(string: url)?.password)
        let daemon = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": url])
        defer { daemon.cleanUp() }
        do {
            try await daemon.start()
            let token = daemon.adminToken
            let api = "\(daemon.baseURL)/api/v1"
            #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"pg-app"}"#).status == 201)
            #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"pg-app"}"#).status == 409)
            #expect(try await HTTP.request("PATCH", "\(api)/apps/pg-app/config", token: token, json: #"{"vars":{"A":"1"}}"#).status == 200)
            #expect(try await HTTP.request("POST", "\(api)/apps/pg-app/releases", token: token, json: #"{"image":"reg.io/app:v1"}"#).status == 201)
            let secret = try await HTTP.request("POST", "\(api)/apps/pg-app/config/secrets", token: token, json: #"{"name":"S","value":"shh"}"#)
            #expect(secret.status == 201)
            #expect(try await daemon.stop(signal: SIGKILL) == SIGKILL)

            try await daemon.start()
            let apps = try await HTTP.request("GET", "\(api)/apps", token: token)
            #expect(apps.status == 200)
            #expect(apps.body.contains(#""name":"pg-app""#))
            let config = try await HTTP.request("GET", "\(api)/apps/pg-app/config", token: token)
            #expect(config.body.contains(#""version":"v2""#))
            #expect(config.body.contains(#""S":"[REDACTED]""#))
            let releases = try await HTTP.request("GET", "\(api)/apps/pg-app/releases", token: token)
            #expect(releases.body.contains(#""config_version":"v2""#))
            // Nothing went to SQLite, and the log names the database without its password.
            #expect(!FileManager.default.fileExists(atPath: daemon.dataDirectory.appendingPathComponent("pvdify.sqlite").path))
            #expect(daemon.log.contains("database=postgres://"))
            #expect(!daemon.log.contains(password))
            #expect(try await daemon.stop() == 0)
        } catch {
            try? await TestPostgres.dropDatabase(name)
            throw error
        }
        try await TestPostgres.dropDatabase(name)
    }

    /// Two replicas on one database: exactly one leads (`/health`, `/metrics`), both serve the
    /// API, and when the leader is SIGKILLed the other takes over once the lease expires.
    @Test(.enabled(if: TestPostgres.serverURL != nil))
    func oneOfTwoReplicasLeadsAndTheOtherTakesOverAfterAKill() async throws {
        let (name, url) = try await TestPostgres.createDatabase()
        let token = "pvd_replicas_bootstrap"
        let environment = [
            "PVDIFY_DATABASE_URL": url, "PVDIFY_BOOTSTRAP_TOKEN": token,
            "PVDIFY_SECRET_KEY": Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
        ]
        let replicas = [DaemonProcess(environment: environment), DaemonProcess(environment: environment)]
        defer { replicas.forEach { $0.cleanUp() } }
        do {
            for replica in replicas { try await replica.start() }
            func leads(_ replica: DaemonProcess) async -> Bool {
                (try? await HTTP.request("GET", "\(replica.baseURL)/health"))?.body.contains(#""leader":true"#) == true
            }
            var leader: DaemonProcess?
            let deadline = ContinuousClock.now + .seconds(30)
            while leader == nil, ContinuousClock.now < deadline {
                for replica in replicas where await leads(replica) { leader = replica }
                if leader == nil { try await Task.sleep(for: .seconds(1)) }
            }
            let first = try #require(leader, "no replica leads")
            let follower = try #require(replicas.first { $0 !== first })
            #expect(!(await leads(follower)), "both replicas lead")
            let metrics = try await HTTP.request("GET", "\(follower.baseURL)/metrics", token: token)
            #expect(metrics.body.contains("pvdify_leader 0"))
            #expect(try await HTTP.request("GET", "\(first.baseURL)/metrics", token: token).body.contains("pvdify_leader 1"))
            // Both serve the one store: written through the follower, read through the leader.
            #expect(try await HTTP.request("POST", "\(follower.baseURL)/api/v1/apps", token: token, json: #"{"name":"shared"}"#).status == 201)
            #expect(try await HTTP.request("GET", "\(first.baseURL)/api/v1/apps/shared", token: token).status == 200)

            // Writes to the leader until it dies: every acknowledged one must survive it.
            let leaderConfig = "\(first.baseURL)/api/v1/apps/shared/config"
            let writer = Task { () -> Int in
                var acknowledged = 0
                while let reply = try? await HTTP.request("PATCH", leaderConfig, token: token, json: #"{"vars":{"N":"\#(acknowledged)"}}"#),
                      reply.status == 200 {
                    acknowledged += 1
                }
                return acknowledged
            }
            try await Task.sleep(for: .seconds(1))
            #expect(try await first.stop(signal: SIGKILL) == SIGKILL)
            let killed = ContinuousClock.now
            let acknowledged = await writer.value
            #expect(acknowledged > 0)
            let config = try await HTTP.request("GET", "\(follower.baseURL)/api/v1/apps/shared/config", token: token)
            // One version per PATCH; at most the one in flight at the kill committed unacknowledged.
            let stored = try #require(config.body.firstMatch(of: /"version":"v(\d+)"/).flatMap { Int($0.1) })
            #expect((acknowledged...acknowledged + 1).contains(stored), "\(acknowledged) acknowledged, \(stored) stored")
            // Polled once a second: /health counts against the client's rate limit of 100 a minute.
            while !(await leads(follower)), ContinuousClock.now < killed + .seconds(60) {
                try await Task.sleep(for: .seconds(1))
            }
            #expect(await leads(follower), "the surviving replica did not take over")
            print("failover: the follower led \(ContinuousClock.now - killed) after the leader was killed; \(acknowledged) writes acknowledged before, \(stored) stored")
            #expect(try await HTTP.request("GET", "\(follower.baseURL)/api/v1/apps/shared", token: token).status == 200)
            #expect(try await follower.stop() == 0)
        } catch {
            try? await TestPostgres.dropDatabase(name)
            throw error
        }
        try await TestPostgres.dropDatabase(name)
    }

    /// `pvdifyd migrate`: a SQLite installation moved into PostgreSQL keeps its apps, config
    /// versions, releases and tokens, and its secrets open with the same key.
    @Test(.enabled(if: TestPostgres.serverURL != nil))
    func migrateMovesAnInstallationFromSQLite() async throws {
        let (name, url) = try await TestPostgres.createDatabase()
        let sqlite = DaemonProcess()
        defer { sqlite.cleanUp() }
        do {
            try await sqlite.start()
            let token = sqlite.adminToken
            let api = "\(sqlite.baseURL)/api/v1"
            #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"moved"}"#).status == 201)
            #expect(try await HTTP.request("POST", "\(api)/apps/moved/config/secrets", token: token, json: #"{"name":"S","value":"shh"}"#).status == 201)
            #expect(try await HTTP.request("POST", "\(api)/apps/moved/releases", token: token, json: #"{"image":"reg.io/app:v1"}"#).status == 201)
            #expect(try await sqlite.stop() == 0)

            let store = sqlite.dataDirectory.appendingPathComponent("pvdify.sqlite").path
            let environment = ProcessInfo.processInfo.environment.merging(["PVDIFY_DATABASE_URL": url]) { $1 }
            let migrated = try await ChildProcess.run(DaemonProcess.binary.path, ["migrate", "--from", "sqlite:\(store)"], environment: environment)
            #expect(migrated.status == 0, "\(migrated.output)")
            #expect(migrated.output.contains("copied 1 apps"))
            #expect(!migrated.output.contains(try #require(URLComponents(string: url)?.password)))
            let again = try await ChildProcess.run(DaemonProcess.binary.path, ["migrate", "--from", "sqlite:\(store)"], environment: environment)
            #expect(again.status != 0 && again.output.contains("already holds a store"))

            let key = try String(contentsOf: sqlite.dataDirectory.appendingPathComponent("secret.key"), encoding: .utf8)
            let postgres = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": url, "PVDIFY_SECRET_KEY": key])
            defer { postgres.cleanUp() }
            try await postgres.start()
            let moved = "\(postgres.baseURL)/api/v1/apps/moved"
            let config = try await HTTP.request("GET", "\(moved)/config", token: token)
            #expect(config.status == 200)
            #expect(config.body.contains(#""S":"[REDACTED]""#))
            #expect(try await HTTP.request("GET", "\(moved)/releases", token: token).body.contains("reg.io/app:v1"))
            // A new secret is sealed with the same key next to the migrated one.
            #expect(try await HTTP.request("POST", "\(moved)/config/secrets", token: token, json: #"{"name":"T","value":"more"}"#).status == 201)
            #expect(try await postgres.stop() == 0)
        } catch {
            try? await TestPostgres.dropDatabase(name)
            throw error
        }
        try await TestPostgres.dropDatabase(name)
    }

    /// `pvdifyd backup` and `restore` on PostgreSQL: a backup taken from a running replica's
    /// database restores into an empty PostgreSQL database and into a data directory (back to one
    /// server); both serve the app with its secret, sealed with the same key.
    @Test(.enabled(if: TestPostgres.serverURL != nil))
    func backupAndRestoreWorkOnPostgreSQL() async throws {
        let (name, url) = try await TestPostgres.createDatabase()
        let (copyName, copyURL) = try await TestPostgres.createDatabase()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let token = "pvd_backup_\(UUID().uuidString.lowercased())"
        let postgres = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": url, "PVDIFY_SECRET_KEY": key, "PVDIFY_BOOTSTRAP_TOKEN": token])
        let restoredPostgres = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": copyURL, "PVDIFY_SECRET_KEY": key])
        let single = DaemonProcess()
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-backup-\(UUID().uuidString)")
        defer {
            for daemon in [postgres, restoredPostgres, single] { daemon.cleanUp() }
            try? FileManager.default.removeItem(at: backup)
        }
        do {
            try await postgres.start()
            let api = "\(postgres.baseURL)/api/v1"
            #expect(try await HTTP.request("POST", "\(api)/apps", token: token, json: #"{"name":"kept"}"#).status == 201)
            #expect(try await HTTP.request("POST", "\(api)/apps/kept/config/secrets", token: token, json: #"{"name":"S","value":"shh"}"#).status == 201)

            // Taken while the replica runs, with the key (it comes from PVDIFY_SECRET_KEY).
            let environment = ProcessInfo.processInfo.environment.merging(["PVDIFY_DATABASE_URL": url, "PVDIFY_SECRET_KEY": key]) { $1 }
            let made = try await ChildProcess.run(
                DaemonProcess.binary.path, ["backup", backup.path, "--include-secret-key", "--data-dir", postgres.dataDirectory.path],
                environment: environment)
            #expect(made.status == 0, "\(made.output)")
            #expect(made.output.contains("backed up 1 apps"))
            #expect(!made.output.contains(try #require(URLComponents(string: url)?.password)))
            #expect(try await postgres.stop() == 0)

            // Into an empty PostgreSQL database; a second time is refused.
            let into = ProcessInfo.processInfo.environment.merging(["PVDIFY_DATABASE_URL": copyURL]) { $1 }
            let restored = try await ChildProcess.run(DaemonProcess.binary.path, ["restore", backup.path], environment: into)
            #expect(restored.status == 0, "\(restored.output)")
            #expect(restored.output.contains("restored 1 apps"))
            let again = try await ChildProcess.run(DaemonProcess.binary.path, ["restore", backup.path], environment: into)
            #expect(again.status != 0 && again.output.contains("already holds a store"))
            try await restoredPostgres.start()
            let onPostgres = try await HTTP.request("GET", "\(restoredPostgres.baseURL)/api/v1/apps/kept/config", token: token)
            #expect(onPostgres.status == 200 && onPostgres.body.contains(#""S":"[REDACTED]""#))
            #expect(try await HTTP.request(
                "POST", "\(restoredPostgres.baseURL)/api/v1/apps/kept/config/secrets", token: token, json: #"{"name":"T","value":"more"}"#).status == 201)

            // Into a data directory: the same backup, back on one server with SQLite.
            let local = ProcessInfo.processInfo.environment.filter { $0.key != "PVDIFY_DATABASE_URL" }
            let moved = try await ChildProcess.run(
                DaemonProcess.binary.path, ["restore", backup.path, "--data-dir", single.dataDirectory.path], environment: local)
            #expect(moved.status == 0, "\(moved.output)")
            try await single.start()
            let onSQLite = try await HTTP.request("GET", "\(single.baseURL)/api/v1/apps/kept/config", token: token)
            #expect(onSQLite.status == 200 && onSQLite.body.contains(#""S":"[REDACTED]""#))
            #expect(try await HTTP.request(
                "POST", "\(single.baseURL)/api/v1/apps/kept/config/secrets", token: token, json: #"{"name":"T","value":"more"}"#).status == 201)
        } catch {
            for database in [name, copyName] { try? await TestPostgres.dropDatabase(database) }
            throw error
        }
        #expect(try await restoredPostgres.stop() == 0)
        #expect(try await single.stop() == 0)
        for database in [name, copyName] { try await TestPostgres.dropDatabase(database) }
    }

    @Test func aMalformedDatabaseURLIsRefusedWithoutEchoingIt() async throws {
        let daemon = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": "postgres://user:hunter2-secret@/nodb"])
        defer { daemon.cleanUp() }
        await #expect(throws: DaemonError.self) { try await daemon.start() }
        #expect(daemon.log.contains("--database must be"))
        #expect(!daemon.log.contains("hunter2-secret"))
    }
}
