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

    @Test func aMalformedDatabaseURLIsRefusedWithoutEchoingIt() async throws {
        let daemon = DaemonProcess(environment: ["PVDIFY_DATABASE_URL": "postgres://user:hunter2-secret@/nodb"])
        defer { daemon.cleanUp() }
        await #expect(throws: DaemonError.self) { try await daemon.start() }
        #expect(daemon.log.contains("--database must be"))
        #expect(!daemon.log.contains("hunter2-secret"))
    }
}
