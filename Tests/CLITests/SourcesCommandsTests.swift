import Foundation
import PvdifyTestSupport
import PvdifyModel
import Testing

/// The `sources` commands against a real daemon syncing a `file://` repository.
@Suite(.timeLimit(.minutes(5))) struct SourcesCommandsTests {
    /// A bare repository with a work clone; `commit` writes files and pushes to main.
    struct Repository {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-cli-git-\(UUID().uuidString)")
        var bare: String { directory.appendingPathComponent("remote.git").path }
        var work: URL { directory.appendingPathComponent("work") }

        func git(_ arguments: String..., in folder: URL? = nil) async throws {
            let outcome = try await ChildProcess.run(
                "/usr/bin/git", ["-C", (folder ?? work).path, "-c", "user.email=t@example.com", "-c", "user.name=T"] + arguments,
                environment: ["PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"])
            #expect(outcome.status == 0, "git \(arguments): \(outcome.output)")
        }

        func setUp() async throws {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            try await git("init", "--quiet", "--bare", "--initial-branch=main", bare, in: directory)
            try await git("init", "--quiet", "--initial-branch=main")
        }

        func commit(_ files: [String: String]) async throws {
            for (path, text) in files {
                let url = work.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
            try await git("add", "-A")
            try await git("commit", "--quiet", "-m", "change")
            try await git("push", "--quiet", bare, "HEAD:main")
        }
    }

    static func app(_ name: String, count: Int) -> String {
        "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: \(name)}\nspec:\n  processes:\n    web: {count: \(count)}\n"
    }

    @Test func addSyncInfoDiffSuspendCredentialsRemove() async throws {
        let repo = Repository()
        try await repo.setUp()
        defer { try? FileManager.default.removeItem(at: repo.directory) }
        try await repo.commit(["apps/web.yaml": Self.app("web", count: 1)])
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)

        let added = try await cli.run("sources:add", "platform", "--url", "file://\(repo.bare)", "--path", "apps", "--interval", "1h", "--prune")
        #expect(added.status == 0 && added.stdout.contains("Added source platform (branch main"), "\(added)")
        // Adding a source already syncs it, so the sync asked for here may find the app applied.
        let synced = try await cli.run("sources:sync", "platform")
        #expect(synced.status == 0 && (synced.stdout.contains("1 created") || synced.stdout.contains("1 unchanged")), "\(synced)")
        let list = try await cli.run("sources")
        #expect(list.stdout.contains("platform") && list.stdout.contains("True (Succeeded)"), "\(list)")
        let info = try await cli.run("sources:info", "platform")
        #expect(info.stdout.contains("apps/web.yaml") && info.stdout.contains("Succeeded"), "\(info)")
        #expect(try await cli.run("sources:info", "platform", "--json").json["status"]?["inventory"]?[0]?["app"] == "web")

        // A new commit: diff shows it (exit 1) and changes nothing until a sync.
        try await repo.commit(["apps/web.yaml": Self.app("web", count: 3)])
        let diff = try await cli.run("sources:diff", "platform")
        #expect(diff.status == 1 && diff.stdout.contains("+      count: 3"), "\(diff)")
        #expect(try await cli.run("ps", "web", "--json").json["processes"]?[0]?["count"] == 1)
        #expect(try await cli.run("sources:sync", "platform").status == 0)
        #expect(try await cli.run("sources:diff", "platform").status == 0)

        // Managed: scaling is refused until the source is suspended.
        let refused = try await cli.run("ps:scale", "web", "web=2")
        #expect(refused.status != 0 && refused.stderr.contains("suspend source 'platform'"), "\(refused)")
        #expect(try await cli.run("sources:suspend", "platform").status == 0)
        #expect(try await cli.run("ps:scale", "web", "web=2").status == 0)
        let resumed = try await cli.run("sources:resume", "platform")
        #expect(resumed.status == 0)

        let secret = "tok_cli_secret_value"
        let credentials = try await cli.run(["sources:credentials", "platform", "--username", "ci", "--token"], stdin: secret + "\n")
        #expect(credentials.status == 0 && credentials.stdout.contains("username, token"), "\(credentials)")
        #expect(!credentials.stdout.contains(secret))
        #expect(!(try await cli.run("sources:info", "platform", "--json").stdout.contains(secret)))

        // The webhook URL to give GitHub, and whether its secret is set yet.
        let before = try await cli.run("sources:info", "platform")
        #expect(before.stdout.contains("\(daemon.baseURL)/api/v1/sources/platform/webhook (no secret yet"), "\(before)")
        let hookSecret = "whsec_cli_value"
        let hook = try await cli.run(["sources:credentials", "platform", "--webhook-secret"], stdin: hookSecret + "\n")
        #expect(hook.status == 0 && hook.stdout.contains("webhook_secret"), "\(hook)")
        let after = try await cli.run("sources:info", "platform")
        #expect(after.stdout.contains("/api/v1/sources/platform/webhook") && !after.stdout.contains("no secret yet"), "\(after)")
        #expect(!after.stdout.contains(hookSecret))

        let removed = try await cli.run("sources:remove", "platform", "--prune")
        #expect(removed.status == 0 && removed.stdout.contains("deleted with its 1 app"), "\(removed)")
        #expect(try await cli.run("apps:info", "web").status != 0)
    }

    /// A Source document in a file: `apply -f` adds it, `diff -f` reports a change to it, and
    /// `delete -f` deletes the source (its app keeps running, unmanaged), or with `--prune` its app too.
    @Test func sourceDocumentsWithApplyDiffAndDelete() async throws {
        let repo = Repository()
        try await repo.setUp()
        defer { try? FileManager.default.removeItem(at: repo.directory) }
        try await repo.commit(["apps/web.yaml": Self.app("web", count: 1)])
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        let file = repo.directory.appendingPathComponent("source.yaml")
        func writeSource(interval: String) throws {
            try """
                apiVersion: pvdify.win/v1
                kind: Source
                metadata: {name: platform}
                spec: {url: "file://\(repo.bare)", path: apps, interval: \(interval)}

                """.write(to: file, atomically: true, encoding: .utf8)
        }
        try writeSource(interval: "1h")
        let applied = try await cli.run("apply", "-f", file.path)
        #expect(applied.status == 0 && applied.stdout.contains("source/platform created"), "\(applied)")
        #expect(try await cli.run("sources:sync", "platform").status == 0)
        #expect(try await cli.run("apps:info", "web", "--json").json["managed_by"]?["source"] == "platform")

        let same = try await cli.run("diff", "-f", file.path)
        #expect(same.status == 0 && same.stdout.isEmpty, "\(same)")
        try writeSource(interval: "2h")
        let changed = try await cli.run("diff", "-f", file.path)
        #expect(changed.status == 1 && changed.stdout.contains("source/platform configured (dry run)"), "\(changed)")
        #expect(try await cli.run("sources:info", "platform", "--json").json["spec"]?["interval"] == "1h")

        // Without --prune: the source goes, its app stays and is no longer managed.
        let kept = try await cli.run("delete", "-f", file.path)
        #expect(kept.status == 0 && kept.stdout.contains("source/platform deleted; its apps keep running, no longer managed: web"), "\(kept)")
        #expect(try await cli.run("sources:info", "platform").status != 0)
        let web = try await cli.run("apps:info", "web", "--json")
        #expect(web.status == 0 && web.json["managed_by"] == .null, "\(web)")
        #expect(try await cli.run("delete", "-f", file.path).status != 0)
        #expect(try await cli.run("delete", "-f", file.path, "--ignore-not-found").stdout.contains("source/platform not found (ignored)"))

        // With --prune: the apps it manages go too (web, adopted here since it exists unmanaged).
        try """
            apiVersion: pvdify.win/v1
            kind: Source
            metadata: {name: platform}
            spec: {url: "file://\(repo.bare)", path: apps, interval: 1h, adopt: true}

            """.write(to: file, atomically: true, encoding: .utf8)
        #expect(try await cli.run("apply", "-f", file.path).status == 0)
        #expect(try await cli.run("sources:sync", "platform").status == 0)
        #expect(try await cli.run("apps:info", "web", "--json").json["managed_by"]?["source"] == "platform")
        let pruned = try await cli.run("delete", "-f", file.path, "--prune", "--json")
        #expect(pruned.status == 0 && pruned.json == ["deleted": ["web"], "deleted_sources": ["platform"]], "\(pruned)")
        #expect(try await cli.run("apps:info", "web").status != 0)
    }
}
