import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// GitOps against `file://` bare repositories, through the real daemon: add, change, remove with
/// prune on and off, a broken file, tag and commit refs, an unowned app, the mass-prune guard,
/// API writes refused then allowed after suspend, and a daemon killed mid-sync.
@Suite(.serialized) struct GitOpsFileTests {
    @Test func addChangeAndPrune() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web"), "apps/team/api.yaml": GitFixture.app("api"), "README.md": "not a manifest"])
        try await gitops.addSource("platform", url: repo.url, extra: #","prune":true"#)
        let applied = try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        #expect(applied["status"]?["last_applied_revision"]?.stringValue == first)
        #expect(applied["status"]?["revision"]?.stringValue == first)
        #expect(applied["status"]?["inventory"] == [["app": "api", "path": "apps/team/api.yaml"], ["app": "web", "path": "apps/web.yaml"]])
        #expect(applied["status"]?["history"]?[0]?["created"] == ["api", "web"])
        let web = try await gitops.send("GET", "/api/v1/apps/web").json
        #expect(web["managed_by"] == ["source": "platform", "revision": .string(first), "path": "apps/web.yaml"])
        #expect(web["image"] == "127.0.0.1:5000/pvdify-test:v1")

        // A change to one file changes that app only.
        let second = try await repo.commit(["apps/web.yaml": GitFixture.app("web", image: "127.0.0.1:5000/pvdify-test:v2", count: 2), "apps/jobs.yaml": GitFixture.app("jobs")])
        let changed = try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(changed["status"]?["history"]?[0]?["changed"] == ["web"])
        #expect(changed["status"]?["history"]?[0]?["created"] == ["jobs"])
        #expect(changed["status"]?["history"]?[0]?["unchanged"] == ["api"])
        let updated = try await gitops.send("GET", "/api/v1/apps/web").json
        #expect(updated["image"] == "127.0.0.1:5000/pvdify-test:v2" && updated["processes"]?["web"]?["count"] == 2)
        #expect(try await gitops.send("GET", "/api/v1/apps/web/releases").json["releases"]?.arrayValue?.count == 2)

        // One of three leaving the repository is pruned.
        let third = try await repo.commit(["apps/team/api.yaml": nil])
        let pruned = try await gitops.waitFor("platform", revision: third, reason: "Succeeded")
        #expect(pruned["status"]?["history"]?[0]?["pruned"] == ["api"])
        #expect(try await gitops.appExists("api") == false)
        #expect(try await gitops.appExists("web"))
        #expect(pruned["status"]?["history"]?.arrayValue?.count == 3)
    }

    @Test func aPollThatFindsNoNewCommitFetchesNothing() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let commit = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
        try await gitops.addSource("platform", url: repo.url)
        let first = try await gitops.waitFor("platform", revision: commit, reason: "Succeeded")
        let fetchHead = gitops.daemon.dataDirectory.appendingPathComponent("sources/platform/repo/.git/FETCH_HEAD").path
        let fetchedAt = try FileManager.default.attributesOfItem(atPath: fetchHead)[.modificationDate] as? Date
        #expect(fetchedAt != nil)
        let generation = try await gitops.send("GET", "/api/v1/apps/web").json["generation"]
        // Several one-second polls later: polled (last_sync_at moves), nothing fetched or applied.
        let before = first["status"]?["last_sync_at"]?.stringValue
        try await Task.sleep(for: .milliseconds(3500))
        let later = try await gitops.source("platform")
        #expect(later["status"]?["last_sync_at"]?.stringValue != before)
        #expect(try FileManager.default.attributesOfItem(atPath: fetchHead)[.modificationDate] as? Date == fetchedAt)
        #expect(later["status"]?["history"]?.arrayValue?.count == 1)
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["generation"] == generation)
    }

    @Test func withoutPruneAnAppThatLeftIsKeptAndLetGo() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web"), "apps/api.yaml": GitFixture.app("api")])
        try await gitops.addSource("platform", url: repo.url)
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        let second = try await repo.commit(["apps/api.yaml": nil])
        let status = try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(try await gitops.appExists("api"))
        #expect(try await gitops.send("GET", "/api/v1/apps/api").json["managed_by"] == .null)
        #expect(status["status"]?["inventory"] == [["app": "web", "path": "apps/web.yaml"]])
        #expect(status["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains("no longer managed") == true)
        #expect(try await gitops.send("POST", "/api/v1/apps/api/ps/scale", #"{"web":2}"#).status == 200)
    }

    @Test func aBrokenFileAppliesNothingAndSaysWhere() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let good = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
        try await gitops.addSource("platform", url: repo.url)
        try await gitops.waitFor("platform", revision: good, reason: "Succeeded")
        let broken = try await repo.commit([
            "apps/web.yaml": GitFixture.app("web", count: 3),
            "apps/bad.yaml": GitFixture.app("bad", count: 500),
        ])
        let status = try await gitops.waitFor("platform", revision: broken, reason: "ValidationFailed")
        let message = status["status"]?["conditions"]?[0]?["message"]?.stringValue ?? ""
        #expect(message.contains("apps/bad.yaml:7:11"), "\(message)")
        #expect(message.contains("spec.processes.web.count"), "\(message)")
        #expect(status["status"]?["last_applied_revision"]?.stringValue == good)
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["processes"]?["web"]?["count"] == 1)
        #expect(try await gitops.appExists("bad") == false)

        let syntax = try await repo.commit(["apps/bad.yaml": "kind: App\nmetadata: {name: bad\n"])
        let syntaxStatus = try await gitops.waitFor("platform", revision: syntax, reason: "ValidationFailed")
        #expect(syntaxStatus["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains("apps/bad.yaml:3:1: YAML syntax error") == true,
                "\(syntaxStatus)")

        let fixed = try await repo.commit(["apps/bad.yaml": GitFixture.app("bad")])
        try await gitops.waitFor("platform", revision: fixed, reason: "Succeeded")
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["processes"]?["web"]?["count"] == 3)
    }

    @Test func followsATagOrAFixedCommit() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let tagged = try await repo.commit(["apps/web.yaml": GitFixture.app("web", image: "127.0.0.1:5000/pvdify-test:v1")])
        try await repo.tag("v1.0.0")
        let later = try await repo.commit(["apps/web.yaml": GitFixture.app("web", image: "127.0.0.1:5000/pvdify-test:v2")])
        try await gitops.addSource("release", url: repo.url, extra: #","ref":{"tag":"v1.0.0"}"#)
        try await gitops.waitFor("release", revision: tagged, reason: "Succeeded")
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["image"] == "127.0.0.1:5000/pvdify-test:v1")

        let pinned = try await repo.commit(["apps/web.yaml": nil, "apps/api.yaml": GitFixture.app("api", image: "127.0.0.1:5000/pvdify-test:v3")])
        _ = later
        try await gitops.addSource("pinned", url: repo.url, extra: #","ref":{"commit":"\#(pinned)"}"#)
        try await gitops.waitFor("pinned", revision: pinned, reason: "Succeeded")
        #expect(try await gitops.send("GET", "/api/v1/apps/api").json["image"] == "127.0.0.1:5000/pvdify-test:v3")
        #expect(try await gitops.send("GET", "/api/v1/apps/api").json["managed_by"]?["source"] == "pinned")
    }

    @Test func anUnownedAppIsAConflictUntilAdopted() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        #expect(try await gitops.send("POST", "/api/v1/apps", #"{"name":"web"}"#).status == 201)
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web", count: 2), "apps/api.yaml": GitFixture.app("api")])
        try await gitops.addSource("platform", url: repo.url)
        let status = try await gitops.waitFor("platform", revision: first, reason: "Conflicts")
        #expect(status["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains("app 'web' already exists and no source manages it") == true)
        #expect(status["status"]?["inventory"] == [["app": "api", "path": "apps/api.yaml"]])
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["processes"]?["web"]?["count"] == 1)
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["managed_by"] == .null)

        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"adopt":true}"#).status == 200)
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        let web = try await gitops.send("GET", "/api/v1/apps/web").json
        #expect(web["processes"]?["web"]?["count"] == 2 && web["managed_by"]?["source"] == "platform")
    }

    @Test func theMassPruneGuardBlocksUntilAllowed() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/a.yaml": GitFixture.app("a"), "apps/b.yaml": GitFixture.app("b"), "apps/c.yaml": GitFixture.app("c")])
        try await gitops.addSource("platform", url: repo.url, extra: #","prune":true"#)
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        let emptied = try await repo.commit(["apps/a.yaml": nil, "apps/b.yaml": nil, "apps/c.yaml": GitFixture.app("c", count: 2), "apps/d.yaml": GitFixture.app("d")])
        let blocked = try await gitops.waitFor("platform", revision: emptied, reason: "PruneBlocked")
        #expect(blocked["status"]?["conditions"]?[0]?["status"] == "False")
        #expect(blocked["status"]?["conditions"]?[0]?["message"]?.stringValue?.contains("more than half") == true)
        #expect(blocked["status"]?["last_applied_revision"]?.stringValue == first)
        for app in ["a", "b", "c"] { #expect(try await gitops.appExists(app)) }
        #expect(try await gitops.appExists("d") == false)
        #expect(try await gitops.send("GET", "/api/v1/apps/c").json["processes"]?["web"]?["count"] == 1)

        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"allow_mass_prune":true}"#).status == 200)
        let done = try await gitops.waitFor("platform", revision: emptied, reason: "Succeeded")
        #expect(done["status"]?["history"]?[0]?["pruned"] == ["a", "b"])
        #expect(try await gitops.appExists("a") == false)
        #expect(try await gitops.appExists("d"))
    }

    @Test func apiWritesAreRefusedUntilTheSourceIsSuspended() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
        try await gitops.addSource("platform", url: repo.url)
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        let refused = try await gitops.send("POST", "/api/v1/apps/web/ps/scale", #"{"web":3}"#)
        #expect(refused.status == 409 && refused.json["error"]?["code"] == "conflict")
        #expect(refused.json["error"]?["message"]?.stringValue?.contains("change it in git, or suspend source 'platform'") == true)
        #expect(try await gitops.send("POST", "/api/v1/apps/web/releases", #"{"image":"127.0.0.1:5000/pvdify-test:v2"}"#).status == 409)
        #expect(try await gitops.send("POST", "/api/v1/apps/web/ps/restart").status == 200)

        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"suspend":true}"#).status == 200)
        #expect(try await gitops.eventually { try await gitops.source("platform")["status"]?["conditions"]?[0]?["reason"] == "Suspended" })
        #expect(try await gitops.send("POST", "/api/v1/apps/web/ps/scale", #"{"web":3}"#).status == 200)
        // Suspended, a new commit is not applied.
        let second = try await repo.commit(["apps/web.yaml": GitFixture.app("web", count: 5)])
        try await Task.sleep(for: .seconds(2))
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["processes"]?["web"]?["count"] == 3)

        // Resumed, git wins again.
        #expect(try await gitops.send("PATCH", "/api/v1/sources/platform", #"{"suspend":false}"#).status == 200)
        try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["processes"]?["web"]?["count"] == 5)
    }

    @Test func aDaemonKilledMidSyncLeavesAllOrNothingAndFinishesAfterRestart() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        var files: [String: String?] = [:]
        for index in 0..<60 { files["apps/app\(index).yaml"] = GitFixture.app("app\(index)") }
        let commit = try await repo.commit(files)
        try await gitops.addSource("platform", url: repo.url)
        try await Task.sleep(for: .milliseconds(150))
        try await gitops.daemon.stop(signal: SIGKILL)

        try await gitops.daemon.start()
        let count = try await gitops.send("GET", "/api/v1/apps").json["apps"]?.arrayValue?.count ?? -1
        #expect(count == 0 || count == 60, "a sync is one transaction: \(count) apps")
        try await gitops.waitFor("platform", revision: commit, reason: "Succeeded")
        #expect(try await gitops.send("GET", "/api/v1/apps").json["apps"]?.arrayValue?.count == 60)
    }

    /// examples/gitops-repo, committed to a `file://` repository as the README's walk-through
    /// does: its source.yaml (URL pointed at the repository) applied, every app synced, an image
    /// change in one file applied to that app only, and dropping a file of two apps blocked.
    @Test func theExampleRepositorySyncs() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let example = BuiltProducts.repositoryRoot.appendingPathComponent("examples/gitops-repo")
        var files: [String: String?] = [:]
        for file in ["README.md", "source.yaml", "apps/api.yaml", "apps/frontends.yaml"] {
            files[file] = try String(contentsOf: example.appendingPathComponent(file), encoding: .utf8)
        }
        let first = try await repo.commit(files, message: "Add the platform apps")

        let exampleSource = try #require(files["source.yaml"] ?? nil)
        #expect(exampleSource.contains("url: file:///srv/git/platform.git"))
        let source = exampleSource.replacingOccurrences(of: "file:///srv/git/platform.git", with: repo.url)
        let document = try YAMLDocuments.parseOne(source)
        let body = String(decoding: JSONValue.object(["documents": .array([document])]).serialized(), as: UTF8.self)
        let applied = try await gitops.send("POST", "/api/v1/apply", body)
        #expect(applied.status == 200 && applied.json["results"]?[0]?["action"] == "created", "\(applied.json)")
        _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
        let synced = try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        #expect(synced["spec"]?["path"] == "apps" && synced["spec"]?["prune"] == true)
        #expect(synced["status"]?["inventory"] == [
            ["app": "api", "path": "apps/api.yaml"], ["app": "www", "path": "apps/frontends.yaml"],
            ["app": "www-staging", "path": "apps/frontends.yaml"],
        ])
        let api = try await gitops.send("GET", "/api/v1/apps/api").json
        #expect(api["managed_by"] == ["source": "platform", "revision": .string(first), "path": "apps/api.yaml"])
        #expect(api["processes"]?["web"]?["count"] == 2 && api["processes"]?["worker"]?["count"] == 1)

        // The walk-through's next step: a new image for one app, committed.
        let apiFile = try #require(files["apps/api.yaml"] ?? nil)
        let second = try await repo.commit(["apps/api.yaml": apiFile.replacingOccurrences(of: "pvdify-test:v1", with: "pvdify-test:v2")])
        _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
        let changed = try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(changed["status"]?["history"]?[0]?["changed"] == ["api"])
        #expect(changed["status"]?["history"]?[0]?["unchanged"] == ["www", "www-staging"])
        #expect(try await gitops.send("GET", "/api/v1/apps/api").json["image"] == "127.0.0.1:5000/pvdify-test:v2")

        // Removing frontends.yaml would prune two of the three apps: the guard deletes nothing.
        let dropped = try await repo.commit(["apps/frontends.yaml": nil], message: "Drop the frontends")
        _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
        try await gitops.waitFor("platform", revision: dropped, reason: "PruneBlocked")
        #expect(try await gitops.appExists("www"))
        #expect(try await gitops.appExists("www-staging"))
        let restored = try await repo.revert()
        _ = try await gitops.send("POST", "/api/v1/sources/platform/sync")
        try await gitops.waitFor("platform", revision: restored, reason: "Succeeded")
    }
}
