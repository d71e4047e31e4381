import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore
@testable import PvdifyAPI

/// `/sources`: create, show, change, delete, credentials that never come back, scopes, and the
/// 409 on spec writes to apps a source manages.
@Suite struct SourcesAPITests {
    static let create = #"{"name":"platform","url":"file:///srv/platform.git","ref":{"branch":"main"},"path":"apps","prune":true}"#

    /// Makes `apps` owned by source `platform`, as a sync at `revision` would.
    static func own(_ store: Store, _ apps: [String], revision: String = String(repeating: "a", count: 40)) async throws {
        let documents = apps.map {
            SourcedManifest(manifest: AppManifest(name: $0, spec: AppSpec(), domains: [], config: [:], secrets: []), path: "apps/\($0).yaml")
        }
        _ = try await store.syncSource("platform", revision: revision, documents: documents, dryRun: false) { snapshot in
            SourceSyncPlan(apply: snapshot.desired.map(\.app))
        }
    }

    @Test func createShowListChangeDelete() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.post("/api/v1/sources", Self.create)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.location] == "/api/v1/sources/platform")
            #expect(created.json["spec"]?["url"] == "file:///srv/platform.git")
            #expect(created.json["spec"]?["ref"]?["branch"] == "main")
            #expect(created.json["spec"]?["interval"] == "1m")
            #expect(created.json["generation"] == 1)
            #expect(try await api.post("/api/v1/sources", Self.create).errorCode == "conflict")

            #expect(try await api.get("/api/v1/sources").json["sources"]?[0]?["name"] == "platform")
            let patched = try await api.patch("/api/v1/sources/platform", #"{"suspend":true,"ref":{"tag":"v1.0.0"}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["spec"]?["suspend"] == true && patched.json["spec"]?["ref"]?["tag"] == "v1.0.0")
            #expect(patched.json["spec"]?["prune"] == true)
            #expect(patched.json["generation"] == 2)
            let unchanged = try await api.patch("/api/v1/sources/platform", #"{"suspend":true}"#)
            #expect(unchanged.json["generation"] == 2)

            let bad = try await api.patch("/api/v1/sources/platform", #"{"url":"https://u:p@example.com/x.git"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorField == "url")
            #expect(!bad.text.contains("u:p@"))

            let sync = try await api.post("/api/v1/sources/platform/sync")
            #expect(sync.status == .accepted && sync.json["requested_at"]?.stringValue != nil)

            let deleted = try await api.delete("/api/v1/sources/platform")
            #expect(deleted.status == .ok && deleted.json["pruned"] == false)
            #expect(try await api.get("/api/v1/sources/platform").status == .notFound)
        }
    }

    @Test func credentialsAreNeverShown() async throws {
        let harness = try await APIHarness.make()
        let secret = "ghp_verysecretvalue123"
        try await harness.run { api in
            _ = try await api.post("/api/v1/sources", Self.create)
            let set = try await api.post("/api/v1/sources/platform/credentials", #"{"username":"ci","token":"\#(secret)","webhook_secret":"hook-\#(secret)"}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect(set.json["credentials"] == ["username", "token", "webhook_secret"])
            let shown = try await api.get("/api/v1/sources/platform")
            #expect(shown.json["credentials"] == ["username", "token", "webhook_secret"])
            let refused = try await api.post("/api/v1/sources/platform/credentials", #"{"password":"\#(secret)"}"#)
            #expect(refused.status == .unprocessableContent)
            for reply in [set, shown, refused, try await api.get("/api/v1/sources")] {
                #expect(!reply.text.contains(secret))
            }
            #expect(try await harness.store.sourceCredentials("platform").token == secret)
            // At rest the value is sealed: neither its row nor the database file (which only
            // SQLite has) holds it in clear.
            let row = try await harness.store.read { db in
                try Data.fetchOne(db, sql: "SELECT credentials FROM sources WHERE name = ?", arguments: ["platform"])
            }
            #expect(try #require(row).range(of: Data(secret.utf8)) == nil)
            if harness.backend == .sqlite {
                let database = try Data(contentsOf: harness.directory.appendingPathComponent("pvdify.sqlite"))
                let wal = (try? Data(contentsOf: harness.directory.appendingPathComponent("pvdify.sqlite-wal"))) ?? Data()
                #expect(database.range(of: Data(secret.utf8)) == nil && wal.range(of: Data(secret.utf8)) == nil)
            }
        }
    }

    @Test func scopesAndAppLimitedTokens() async throws {
        let harness = try await APIHarness.make()
        let reader = try await harness.token("reader", [.read])
        let limited = try await harness.token("limited", [.write], apps: ["web"])
        try await harness.run { api in
            #expect(try await api.post("/api/v1/sources", Self.create, auth: .bearer(reader)).status == .forbidden)
            _ = try await api.post("/api/v1/sources", Self.create)
            #expect(try await api.get("/api/v1/sources/platform", auth: .bearer(reader)).status == .ok)
            #expect(try await api.post("/api/v1/sources/platform/sync", auth: .bearer(reader)).status == .forbidden)
            #expect(try await api.get("/api/v1/sources", auth: .bearer(limited)).status == .forbidden)
            #expect(try await api.get("/api/v1/sources/platform", auth: .bearer(limited)).status == .forbidden)
            #expect(try await api.delete("/api/v1/sources/platform", auth: .bearer(limited)).status == .forbidden)
            let apply = try await api.send(
                .post, "/api/v1/apply", body: "apiVersion: pvdify.win/v1\nkind: Source\nmetadata: {name: other}\nspec: {url: 'file:///r'}\n",
                contentType: "application/yaml", auth: .bearer(limited))
            #expect(apply.status == .forbidden)
            #expect(try await api.get("/api/v1/sources/other").status == .notFound)
        }
    }

    @Test func applyTakesSourceDocumentsBesideApps() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let yaml = """
                apiVersion: pvdify.win/v1
                kind: Source
                metadata: {name: platform}
                spec: {url: 'file:///srv/platform.git', path: apps, prune: true}
                ---
                apiVersion: pvdify.win/v1
                kind: App
                metadata: {name: web}
                """
            let reply = try await api.send(.post, "/api/v1/apply", body: yaml, contentType: "application/yaml")
            #expect(reply.status == .ok, "\(reply.text)")
            let results = try #require(reply.json["results"]?.arrayValue)
            #expect(results.contains { $0["kind"] == "Source" && $0["name"] == "platform" && $0["action"] == "created" })
            #expect(results.contains { $0["name"] == "web" && $0["action"] == "created" })
            #expect(try await api.get("/api/v1/sources/platform").json["spec"]?["prune"] == true)

            let again = try await api.send(.post, "/api/v1/apply", body: yaml, contentType: "application/yaml")
            #expect(again.json["results"]?.arrayValue?.first { $0["kind"] == "Source" }?["action"] == "unchanged")

            // A broken Source document applies nothing, and its error points into the document.
            let broken = yaml.replacingOccurrences(of: "path: apps", with: "path: ../apps") + "\n---\napiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: api}\n"
            let refused = try await api.send(.post, "/api/v1/apply", body: broken, contentType: "application/yaml")
            #expect(refused.status == .unprocessableContent && refused.errorField == "documents[0].spec.path", "\(refused.text)")
            #expect(try await api.get("/api/v1/apps/api").status == .notFound)
        }
    }

    @Test func managedAppsRefuseSpecWritesUntilTheSourceIsSuspended() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            _ = try await api.post("/api/v1/sources", Self.create)
            try await Self.own(harness.store, ["web"])
            let app = try await api.get("/api/v1/apps/web")
            #expect(app.json["managed_by"]?["source"] == "platform")
            #expect(app.json["managed_by"]?["path"] == "apps/web.yaml")
            #expect(app.json["managed_by"]?["revision"]?.stringValue?.count == 40)

            let scale = try await api.post("/api/v1/apps/web/ps/scale", #"{"web":3}"#)
            #expect(scale.status == .conflict && scale.errorCode == "conflict")
            #expect(scale.json["error"]?["message"]?.stringValue?.contains("suspend source 'platform'") == true)
            #expect(try await api.patch("/api/v1/apps/web/config", #"{"vars":{"A":"b"}}"#).status == .conflict)
            #expect(try await api.post("/api/v1/apps/web/domains", #"{"name":"web.example.com"}"#).status == .conflict)
            #expect(try await api.delete("/api/v1/apps/web").status == .conflict)
            let applied = try await api.send(
                .post, "/api/v1/apply", body: "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: web}\n", contentType: "application/yaml")
            #expect(applied.status == .conflict, "\(applied.text)")
            // Restarts and secrets are not spec writes.
            #expect(try await api.post("/api/v1/apps/web/ps/restart").status == .ok)
            #expect(try await api.post("/api/v1/apps/web/config/secrets", #"{"name":"API_KEY","value":"x"}"#).status == .created)

            _ = try await api.patch("/api/v1/sources/platform", #"{"suspend":true}"#)
            #expect(try await api.post("/api/v1/apps/web/ps/scale", #"{"web":3}"#).status == .ok)
            _ = try await api.patch("/api/v1/sources/platform", #"{"suspend":false}"#)
            #expect(try await api.post("/api/v1/apps/web/ps/scale", #"{"web":1}"#).status == .conflict)

            // Deleting the source lets go of its apps; ?prune=true would have deleted them.
            let deleted = try await api.delete("/api/v1/sources/platform")
            #expect(deleted.json["apps"] == ["web"])
            #expect(deleted.json["message"]?.stringValue?.contains("no longer managed") == true)
            #expect(try await api.get("/api/v1/apps/web").json["managed_by"] == .null)
            #expect(try await api.post("/api/v1/apps/web/ps/scale", #"{"web":1}"#).status == .ok)
        }
    }

    @Test func deleteWithPruneDeletesTheApps() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            _ = try await api.post("/api/v1/sources", Self.create)
            try await Self.own(harness.store, ["web", "api"])
            try await api.createApp("other")
            let deleted = try await api.delete("/api/v1/sources/platform?prune=true")
            #expect(deleted.json["pruned"] == true && deleted.json["apps"] == ["api", "web"])
            #expect(try await api.get("/api/v1/apps/web").status == .notFound)
            #expect(try await api.get("/api/v1/apps/other").status == .ok)
        }
    }
}
