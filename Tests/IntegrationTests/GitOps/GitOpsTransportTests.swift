import Foundation
import PvdifyModel
import Testing

/// GitOps over smart HTTP with basic auth (git http-backend behind nginx and fcgiwrap): right
/// credentials sync, missing or wrong ones are `AuthenticationFailed`, and no credential shows in
/// a response or the daemon's log.
@Suite(.serialized) struct GitOpsTransportTests {

    @Test func smartHTTPWithBasicAuth() async throws {
        let repo = try await GitFixture()
        let password = "http-pass-\(UUID().uuidString.prefix(8))"
        let server = try await HTTPGitServer(repositories: repo.directory, username: "ci", password: password)
        let gitops = try await GitOpsDaemon.start()
        try await withCleanUp({ gitops.cleanUp(); await server.stop(); repo.cleanUp() }) {
            let commit = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
            try await gitops.addSource("platform", url: server.url("remote.git"))

            // No credentials, then wrong ones: refused by the server.
            try await gitops.waitFor("platform", revision: nil, reason: "AuthenticationFailed")
            let wrong = try await gitops.send("POST", "/api/v1/sources/platform/credentials", #"{"username":"ci","password":"wrong-\#(password)"}"#)
            #expect(wrong.status == 200)
            _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
            #expect(try await gitops.eventually {
                let history = try await gitops.source("platform")["status"]?["history"]?.arrayValue ?? []
                return history.count >= 2 && history[0]["outcome"] == "AuthenticationFailed"
            })
            #expect(try await gitops.appExists("web") == false)

            _ = try await gitops.send("POST", "/api/v1/sources/platform/credentials", #"{"password":"\#(password)"}"#)
            let synced = try await gitops.waitFor("platform", revision: commit, reason: "Succeeded")
            #expect(try await gitops.appExists("web"))
            #expect(!"\(synced)".contains(password))
            #expect(!gitops.daemon.log.contains(password))
            // The credential files live only while git runs.
            let auth = gitops.daemon.dataDirectory.appendingPathComponent("sources/platform/auth")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: auth.path))?.filter { !$0.hasPrefix("git-") } == [])
        }
    }

    /// A JSON string literal.
    static func json(_ text: String) -> String { String(decoding: JSONValue.string(text).serialized(), as: UTF8.self) }

    @Test func sshWithAPinnedHostKey() async throws {
        let repo = try await GitFixture()
        let server = try await SSHGitServer()
        let gitops = try await GitOpsDaemon.start()
        try await withCleanUp({ gitops.cleanUp(); await server.stop(); repo.cleanUp() }) {
            let commit = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
            try await gitops.addSource("platform", url: server.url(repo.bare.path))

            // A wrong pin: the host key does not match, nothing is fetched.
            let wrongPin = try await server.otherPin()
            let set = try await gitops.send(
                "POST", "/api/v1/sources/platform/credentials",
                #"{"ssh_private_key":\#(Self.json(server.clientKey)),"known_hosts":\#(Self.json(wrongPin))}"#)
            #expect(set.status == 200, "\(set.json)")
            _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
            let refused = try await gitops.waitFor("platform", revision: nil, reason: "AuthenticationFailed")
            #expect(refused["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains("Host key verification failed") == true, "\(refused)\n\(server.log)")
            #expect(try await gitops.appExists("web") == false)

            #expect(try await gitops.send("POST", "/api/v1/sources/platform/credentials", #"{"known_hosts":\#(Self.json(server.knownHostsLine))}"#).status == 200)
            try await gitops.waitFor("platform", revision: commit, reason: "Succeeded")
            #expect(try await gitops.appExists("web"))
            let keyBody = String(server.clientKey.split(separator: "\n")[1])
            #expect(!gitops.daemon.log.contains(keyBody))
            #expect(!"\(try await gitops.source("platform"))".contains(keyBody))
        }
    }
}
