import Foundation
import PvdifyModel
import PvdifyStore
import Testing

/// The built `pvdify` binary against a real `pvdifyd` (without Podman), one daemon per test,
/// for every command group: output for people, `--json`, exit codes and the API's messages.
@Suite(.timeLimit(.minutes(5))) struct CLIEndToEndTests {
    /// Runs `body` with a fresh daemon and a CLI logged in to it through the environment.
    func withDaemon(_ body: (Daemon, CLI) async throws -> Void) async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        try await body(daemon, CLI(daemon: daemon))
    }

    func succeed(_ cli: CLI, _ arguments: String..., stdin: String? = nil) async throws -> CLI.Result {
        let result = try await cli.run(arguments, stdin: stdin)
        #expect(result.status == 0, "pvdify \(arguments.joined(separator: " ")): \(result)")
        return result
    }

    func fail(_ cli: CLI, _ arguments: String..., stdin: String? = nil) async throws -> CLI.Result {
        let result = try await cli.run(arguments, stdin: stdin)
        #expect(result.status != 0, "pvdify \(arguments.joined(separator: " ")) should fail: \(result)")
        #expect(result.stderr.hasPrefix("error: "), "\(result)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result)")
        return result
    }

    @Test func loginWhoamiLogout() async throws {
        try await withDaemon { daemon, cli in
            // Without PVDIFY_TOKEN the CLI needs a login.
            let anonymous = cli.with(["PVDIFY_TOKEN": nil, "PVDIFY_API_URL": nil])
            #expect(try await fail(anonymous, "whoami").stderr.contains("not logged in"))
            // A wrong token is refused by the API and not stored.
            let refused = try await fail(anonymous, "login", "--api-url", daemon.baseURL, stdin: "pvd_wrong\n")
            #expect(refused.stderr.contains("Invalid or missing token"))
            let configFile = cli.home.appendingPathComponent(".config/pvdify/config.yaml")
            #expect(!FileManager.default.fileExists(atPath: configFile.path))

            // The token from standard input, checked with GET /whoami, stored with mode 0600.
            let login = try await succeed(anonymous, "login", "--api-url", daemon.baseURL + "/api/v1/", stdin: daemon.adminToken + "\n")
            #expect(login.stdout.contains("Logged in to \(daemon.baseURL) as admin"))
            let attributes = try FileManager.default.attributesOfItem(atPath: configFile.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let stored = try String(contentsOf: configFile, encoding: .utf8)
            #expect(stored.contains("api_url: \(daemon.baseURL)") && stored.contains(daemon.adminToken))

            let whoami = try await succeed(anonymous, "whoami")
            #expect(whoami.stdout.contains("admin") && whoami.stdout.contains(daemon.baseURL))
            #expect(try await succeed(anonymous, "whoami", "--json").json["scopes"] == ["admin"])

            // PVDIFY_TOKEN overrides the stored token.
            let overridden = try await fail(anonymous.with(["PVDIFY_TOKEN": "pvd_other"]), "whoami")
            #expect(overridden.stderr.contains("Invalid or missing token") && overridden.stderr.contains("pvdify login"))
            // --token works too.
            _ = try await succeed(anonymous, "login", "--token", daemon.adminToken)

            #expect(try await succeed(anonymous, "logout").stdout.contains("Logged out of \(daemon.baseURL)"))
            #expect(try await fail(anonymous, "whoami").stderr.contains("not logged in"))
        }
    }

    @Test func apps() async throws {
        try await withDaemon { _, cli in
            #expect(try await succeed(cli, "apps").stdout.contains("No apps yet"))
            let created = try await succeed(cli, "apps:create", "myapp", "-e", "staging")
            #expect(created.stdout.contains("Created app myapp (staging, port 3000)"))
            #expect(try await succeed(cli, "apps:create", "other", "--json").json["bind_port"] == 3001)
            let list = try await succeed(cli, "apps")
            #expect(list.stdout.hasPrefix("NAME "))
            #expect(list.stdout.contains("myapp  staging"))
            let info = try await succeed(cli, "apps:info", "myapp")
            #expect(info.stdout.contains("=== myapp") && info.stdout.contains("processes:") && info.stdout.contains("web=1"))
            #expect(try await succeed(cli, "apps:info", "myapp", "--json").json["environment"] == "staging")

            let missing = try await fail(cli, "apps:info", "nope")
            #expect(missing.status == 1)
            #expect(missing.stderr == "error: App 'nope' not found\n")
            #expect(try await fail(cli, "apps:create", "Bad_Name").stderr.contains("must start with a lowercase letter"))
            #expect(try await fail(cli, "apps:create", "myapp").stderr.contains("already exists"))

            // Deleting asks for the name again.
            #expect(try await fail(cli, "apps:delete", "myapp").stderr.contains("--confirm myapp"))
            #expect(try await fail(cli, "apps:delete", "myapp", "--confirm", "other").stderr.contains("does not match"))
            #expect(try await succeed(cli, "apps:delete", "myapp", "--confirm", "myapp").stdout == "Deleted app myapp.\n")
            #expect(try await fail(cli, "apps:info", "myapp").stderr == "error: App 'myapp' not found\n")

            // Usage mistakes are ArgumentParser's, with a non-zero exit.
            let usage = try await cli.run(["apps:create"])
            #expect(usage.status == 64 && usage.stderr.contains("Missing expected argument"))
        }
    }

    @Test func deployFollowsTheReleaseUntilActiveOrFailed() async throws {
        try await withDaemon { daemon, cli in
            // A deploy to an app that does not exist.
            let ghost = try await fail(cli, "deploy", "ghost", "--image", "127.0.0.1:5000/pvdify-test:v1")
            #expect(ghost.stderr == "error: App 'ghost' not found\n")
            _ = try await succeed(cli, "apps:create", "web")
            #expect(try await fail(cli, "deploy", "web", "--image", "https://bad/image").stderr.contains("image"))

            // --no-wait returns at once.
            let quick = try await succeed(cli, "deploy", "web", "--image", "127.0.0.1:5000/pvdify-test:v1", "--no-wait")
            #expect(quick.stdout.contains("release v1 is deploying"))
            let quickJSON = try await succeed(cli, "deploy", "web", "--image", "127.0.0.1:5000/pvdify-test:v2", "--no-wait", "--json")
            #expect(quickJSON.json["version"] == 2 && quickJSON.json["status"] == "deploying")

            // Without Podman nothing rolls the release out: the follow gives up at --timeout.
            let started = ContinuousClock.now
            let timedOut = try await fail(cli, "deploy", "web", "--image", "127.0.0.1:5000/pvdify-test:v3", "--timeout", "2s")
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(timedOut.stdout.contains("Deploying 127.0.0.1:5000/pvdify-test:v3 to web: release v3"))
            #expect(timedOut.stdout.contains("Release v3 created by admin"))
            #expect(timedOut.stderr.contains("error: timed out after 2s waiting for release v3 of web (still deploying)"))

            // The test plays the container reconciler: log lines appear, then the release is active.
            let store = try daemon.openStore()
            defer { try? store.close() }
            let active = try cli.start(["deploy", "web", "--image", "127.0.0.1:5000/pvdify-test:v4", "--timeout", "60s"])
            try await active.waitForOutput("release v4")
            for line in ["Pulling 127.0.0.1:5000/pvdify-test:v4", "Started web.1 on 127.0.0.1:41000", "web.1 is healthy"] {
                try await store.appendReleaseLog("web", version: 4, line)
                try await active.waitForOutput(line)
            }
            try await store.appendReleaseLog("web", version: 4, "Release v4 is active")
            try await store.setReleaseStatus("web", version: 4, .active)
            let finished = try await active.wait()
            #expect(finished.status == 0, "\(finished)")
            #expect(finished.stdout.contains("       web.1 is healthy\n       Release v4 is active\n"))
            #expect(finished.stdout.hasSuffix("Release v4 of web is active.\n"))

            // A failed release: exit non-zero with the reason from its deploy log.
            let failing = try cli.start(["deploy", "web", "--image", "127.0.0.1:5000/pvdify-test:v5"])
            try await failing.waitForOutput("release v5")
            try await store.appendReleaseLog("web", version: 5, "web.1 did not pass its health check within 60s; v4 keeps serving")
            try await store.setReleaseStatus("web", version: 5, .failed)
            let failed = try await failing.wait()
            #expect(failed.status == 1)
            #expect(failed.stderr == "error: Release v5 of web failed: web.1 did not pass its health check within 60s; v4 keeps serving\n")

            let releases = try await succeed(cli, "releases", "web")
            #expect(releases.stdout.contains("v5       failed"))
            #expect(releases.stdout.contains("v4       active"))
            #expect(try await succeed(cli, "releases", "web", "--json").json["releases"]?.arrayValue?.count == 5)
            let info = try await succeed(cli, "releases:info", "web", "v4")
            #expect(info.stdout.contains("status:  active") && info.stdout.contains("=== deploy log") && info.stdout.contains("web.1 is healthy"))
            #expect(try await fail(cli, "releases:info", "web", "9").stderr.contains("not found"))

            // Rollback makes a new release from an earlier one and follows it like deploy. (Another
            // token, since each token may deploy 10 times a minute.)
            let deployToken = try await succeed(cli, "tokens:create", "deployer", "--scope", "deploy", "--json").json["token"]?.stringValue
            let deployer = cli.with(["PVDIFY_TOKEN": deployToken])
            let rollback = try await succeed(deployer, "rollback", "web", "v1", "--no-wait")
            #expect(rollback.stdout.contains("Rolling back web to v1: release v6 is deploying"))
            #expect(try await fail(deployer, "rollback", "web", "v1", "--timeout", "1s").stderr.contains("timed out after 1s"))
            #expect(try await fail(deployer, "rollback", "web", "v42").stderr.contains("Release v42 of app 'web' not found"))
        }
    }

    @Test func config() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apps:create", "myapp")
            #expect(try await succeed(cli, "config", "myapp").stdout.contains("(none)"))
            let set = try await succeed(cli, "config:set", "myapp", "NODE_ENV=production", "DATABASE_URL=postgres://u:p@db/app?sslmode=require")
            #expect(set.stdout == "Set DATABASE_URL, NODE_ENV on myapp: config v1.\n")
            #expect(try await succeed(cli, "config:set", "myapp", "NODE_ENV=production").stdout.contains("No change"))

            // The secret comes from standard input and never shows again.
            let secret = try await succeed(cli, "config:secret", "myapp", "API_KEY", stdin: "sk_live_123\n")
            #expect(secret.stdout == "Set secret API_KEY on myapp: config v2.\n")
            let shown = try await succeed(cli, "config", "myapp")
            #expect(shown.stdout.contains("API_KEY:      [REDACTED]"))
            #expect(shown.stdout.contains("DATABASE_URL: postgres://u:p@db/app?sslmode=require"))
            #expect(!shown.stdout.contains("sk_live_123"))
            let json = try await succeed(cli, "config", "myapp", "--json")
            #expect(json.json["vars"]?["API_KEY"] == "[REDACTED]" && json.json["version"] == "v2")
            #expect(try await fail(cli, "config:secret", "myapp", "EMPTY", stdin: "").stderr.contains("empty"))

            #expect(try await succeed(cli, "config:unset", "myapp", "NODE_ENV", "API_KEY").stdout == "Unset API_KEY, NODE_ENV on myapp: config v3.\n")
            let versions = try await succeed(cli, "config:versions", "myapp")
            #expect(versions.stdout.contains("v3") && versions.stdout.contains("API_KEY, NODE_ENV"))
            #expect(try await succeed(cli, "config:versions", "myapp", "--json").json["versions"]?.arrayValue?.count == 3)

            #expect(try await fail(cli, "config:set", "myapp", "NOEQUALS").stderr == "error: expected KEY=VALUE, got 'NOEQUALS'\n")
            #expect(try await fail(cli, "config:set", "myapp", "PORT=80").stderr.contains("PORT"))
            #expect(try await fail(cli, "config", "ghost").stderr == "error: App 'ghost' not found\n")
        }
    }

    @Test func domains() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apps:create", "myapp")
            #expect(try await succeed(cli, "domains", "myapp").stdout.contains("no custom domains"))
            #expect(try await succeed(cli, "domains:add", "myapp", "WWW.Example.com").stdout.contains("Added www.example.com to myapp"))
            let list = try await succeed(cli, "domains", "myapp")
            #expect(list.stdout.hasPrefix("DOMAIN") && list.stdout.contains("www.example.com  provisioning"))
            let verify = try await succeed(cli, "domains:verify", "myapp", "www.example.com")
            #expect(verify.stdout.contains("_pvdify-verify.www.example.com TXT pvdify-"))
            #expect(try await succeed(cli, "domains:verify", "myapp", "www.example.com", "--json").json["verify_token"]?.stringValue?.hasPrefix("pvdify-") == true)
            #expect(try await fail(cli, "domains:add", "myapp", "127.0.0.1").stderr.contains("IP address"))
            #expect(try await succeed(cli, "domains:remove", "myapp", "www.example.com").stdout == "Removed www.example.com from myapp.\n")
            #expect(try await fail(cli, "domains:remove", "myapp", "www.example.com").stderr.contains("not found"))
        }
    }

    @Test func processes() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apply", "-f", "examples/web-worker/app.yaml")
            let ps = try await succeed(cli, "ps", "web-worker")
            #expect(ps.stdout.contains("web     2      0        pending"))
            #expect(ps.stdout.contains("worker  1") && ps.stdout.contains("/app/run.sh worker"))
            #expect(try await succeed(cli, "ps:scale", "web-worker", "web=3", "worker=0").stdout == "Scaling web-worker: web=3 worker=0.\n")
            let scaled = try await succeed(cli, "ps", "web-worker", "--json")
            #expect(scaled.json["processes"]?[0]?["count"] == 3 && scaled.json["processes"]?[1]?["count"] == 0)
            #expect(try await fail(cli, "ps:scale", "web-worker", "clock=1").stderr.contains("process type 'clock' is not defined"))
            #expect(try await fail(cli, "ps:scale", "web-worker", "web=lots").stderr.contains("expected TYPE=COUNT"))
            #expect(try await succeed(cli, "ps:restart", "web-worker", "worker").stdout == "Restarting worker of web-worker.\n")
            #expect(try await succeed(cli, "ps:restart", "web-worker").stdout == "Restarting web, worker of web-worker.\n")
        }
    }

    @Test func logs() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apps:create", "myapp")
            _ = try await succeed(cli, "config:set", "myapp", "A=1")
            let logs = try await succeed(cli, "logs", "myapp")
            #expect(logs.stdout.contains(" api: App created by admin"))
            #expect(logs.stdout.contains(" api: Config changed by admin: A (config v1)"))
            #expect(!logs.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
            let last = try await succeed(cli, "logs", "myapp", "-n", "1", "-p", "api", "--since", "1h")
            #expect(last.stdout.split(separator: "\n").count == 1)
            #expect(try await succeed(cli, "logs", "myapp", "--json").json["lines"]?.arrayValue?.count == 2)
            #expect(try await fail(cli, "logs", "myapp", "--since", "whenever").stderr.contains("--since"))

            // -f reads the event stream: the backlog, then new lines as they come.
            let follow = try cli.start(["logs", "myapp", "-f"])
            try await follow.waitForOutput("App created by admin")
            _ = try await succeed(cli, "config:set", "myapp", "B=2")
            try await follow.waitForOutput("Config changed by admin: B (config v2)")
            follow.process.terminate()
            _ = try await follow.wait(timeout: .seconds(10))
        }
    }

    @Test func previews() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apps:create", "myapp")
            #expect(try await succeed(cli, "previews", "myapp").stdout.contains("no previews"))
            let created = try await succeed(cli, "previews:create", "myapp", "--pr", "123", "--image", "127.0.0.1:5000/pvdify-test:v1")
            #expect(created.stdout.contains("Created preview myapp-pr-123 for PR #123"))
            #expect(created.stdout.contains("myapp-pr-123.localhost"))
            #expect(try await succeed(cli, "previews", "myapp").stdout.contains("123  myapp-pr-123"))
            let listed = try await succeed(cli, "previews", "myapp").stdout
            #expect(listed.contains("BRANCH") && listed.contains("FORK") && listed.contains("EXPIRES"), "\(listed)")
            // Again for the same PR: an update, with the new fields.
            let updated = try await succeed(
                cli, "previews:create", "myapp", "--pr", "123", "--image", "127.0.0.1:5000/pvdify-test:v2", "--sha", "abc1234", "--branch", "fix/x")
            #expect(updated.stdout.contains("Updated preview myapp-pr-123 for PR #123"), "\(updated.stdout)")
            let json = try await succeed(cli, "previews", "myapp", "--json").stdout
            #expect(json.contains("\"head_sha\"") && json.contains("abc1234") && json.contains("fix/x"), "\(json)")
            #expect(try await fail(cli, "previews:create", "myapp", "--pr", "124").stderr.contains("image"))
            // Linked to a GitHub repository that no App installation covers: the GITHUB column says why nothing is posted.
            #expect(!listed.contains("installation"), "\(listed)")
            _ = try await succeed(cli, "apply", "-f", "-", stdin: "apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: myapp}\nspec: {github: {repo: octo-org/myapp}}\n")
            _ = try await succeed(cli, "previews:create", "myapp", "--pr", "123", "--image", "127.0.0.1:5000/pvdify-test:v1", "--sha", "def5678")
            let linked = try await succeed(cli, "previews", "myapp").stdout
            #expect(linked.contains("GITHUB") && linked.contains("- (No deployment: no GitHub App installation covered octo-org/myapp"), "\(linked)")
            #expect(try await succeed(cli, "previews:delete", "myapp", "123").stdout == "Deleted preview myapp-pr-123.\n")
            #expect(try await fail(cli, "previews:delete", "myapp", "123").stderr.contains("not found"))
        }
    }

    @Test func tokens() async throws {
        try await withDaemon { _, cli in
            _ = try await succeed(cli, "apps:create", "myapp")
            let created = try await succeed(cli, "tokens:create", "ci", "--scope", "deploy", "--app", "myapp", "--json")
            let secret = try #require(created.json["token"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(created.json["apps"] == ["myapp"])
            let text = try await succeed(cli, "tokens:create", "reader", "--scope", "read")
            #expect(text.stdout.contains("shown only this once") && text.stdout.contains("pvd_"))
            let list = try await succeed(cli, "tokens")
            #expect(list.stdout.contains(id) && list.stdout.contains("ci") && list.stdout.contains("deploy  myapp"))

            // The new token deploys its app, and nothing more.
            let ci = cli.with(["PVDIFY_TOKEN": secret])
            _ = try await succeed(ci, "deploy", "myapp", "--image", "127.0.0.1:5000/pvdify-test:v1", "--no-wait")
            #expect(try await fail(ci, "apps:create", "other").stderr.contains("no 'write' scope"))
            #expect(try await fail(ci, "deploy", "other-app", "--image", "r/i:1").stderr.contains("may not access app 'other-app'"))
            #expect(try await fail(ci, "config:set", "myapp", "A=1").stderr.contains("no 'write' scope"))
            #expect(try await fail(ci, "tokens").stderr.contains("no 'admin' scope"))

            #expect(try await succeed(cli, "tokens:revoke", id).stdout == "Revoked token \(id).\n")
            #expect(try await fail(ci, "whoami").stderr.contains("Invalid or missing token"))
            #expect(try await fail(cli, "tokens:create", "x").stderr.contains("--scope"))
        }
    }

    @Test func manifestsApplyDiffGetDelete() async throws {
        try await withDaemon { _, cli in
            let directory = cli.home.appendingPathComponent("repo/apps")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in ["api.yaml", "frontends.yaml"] {
                try FileManager.default.copyItem(
                    at: Binaries.repositoryRoot.appendingPathComponent("examples/gitops-repo/apps/\(file)"),
                    to: directory.appendingPathComponent(file))
            }
            // Before the first apply, diff shows everything as new (exit 1).
            let before = try await cli.run(["diff", "-f", directory.path])
            #expect(before.status == 1, "\(before)")
            #expect(before.stdout.contains("--- /dev/null\n+++ manifest/app/api"))

            // Apply a directory: every app is created.
            let applied = try await succeed(cli, "apply", "-f", directory.path)
            #expect(applied.stdout == """
                app/api created (release v1, config v1)
                app/www created (release v1, config v1)
                app/www-staging created (release v1, config v1)

                """)
            // Applying again changes nothing: no new release.
            let again = try await succeed(cli, "apply", "-f", directory.path)
            #expect(again.stdout == "app/api unchanged\napp/www unchanged\napp/www-staging unchanged\n")
            #expect(try await succeed(cli, "releases", "api", "--json").json["releases"]?.arrayValue?.count == 1)
            let same = try await cli.run(["diff", "-f", directory.path])
            #expect(same.status == 0 && same.stdout.isEmpty, "\(same)")

            // A change shows in diff (exit 1), apply makes it, then diff is clean (exit 0).
            let file = directory.appendingPathComponent("api.yaml")
            let edited = try String(contentsOf: file, encoding: .utf8)
                .replacingOccurrences(of: "pvdify-test:v1", with: "pvdify-test:v2")
                .replacingOccurrences(of: "count: 2", with: "count: 3")
            try edited.write(to: file, atomically: true, encoding: .utf8)
            let changed = try await cli.run(["diff", "-f", file.path])
            #expect(changed.status == 1)
            #expect(changed.stdout.contains("-  image: 127.0.0.1:5000/pvdify-test:v1\n+  image: 127.0.0.1:5000/pvdify-test:v2"))
            #expect(changed.stdout.contains("-      count: 2\n+      count: 3"))
            #expect(try await succeed(cli, "apply", "-f", file.path, "--dry-run").stdout == "app/api configured (release v2, dry run)\n")
            #expect(try await succeed(cli, "apply", "-f", directory.path).stdout.hasPrefix("app/api configured (release v2)\napp/www unchanged"))
            let after = try await cli.run(["diff", "-f", file.path])
            #expect(after.status == 0 && after.stdout.isEmpty, "\(after)")
            #expect(try await succeed(cli, "ps", "api", "--json").json["processes"]?[0]?["count"] == 3)

            // get: tables, names, manifests with status.
            let table = try await succeed(cli, "get", "apps")
            #expect(table.stdout.hasPrefix("NAME") && table.stdout.contains("www-staging  staging"))
            #expect(try await succeed(cli, "get", "apps", "-o", "name").stdout == "app/api\napp/www\napp/www-staging\n")
            let yaml = try await succeed(cli, "get", "app", "api", "-o", "yaml")
            #expect(yaml.stdout.contains("kind: App") && yaml.stdout.contains("status:") && yaml.stdout.contains("pvdify-test:v2"))
            let json = try await succeed(cli, "get", "app", "api", "-o", "json")
            #expect(json.json["spec"]?["processes"]?["web"]?["count"] == 3 && json.json["status"]?["phase"] != nil)
            #expect(try await succeed(cli, "get", "apps", "--json").json["items"]?.arrayValue?.count == 3)
            #expect(try await fail(cli, "get", "pods").stderr.contains("unknown resource"))
            // What `get -o yaml` prints can be applied as it is (status is ignored).
            #expect(try await succeed(cli, "apply", "-f", "-", stdin: yaml.stdout).stdout == "app/api unchanged\n")

            // Mistakes point at the file, document, line and column; nothing is applied.
            let bad = directory.appendingPathComponent("bad.yaml")
            try """
                apiVersion: pvdify.win/v1
                kind: App
                metadata:
                  name: fresh
                ---
                apiVersion: pvdify.win/v1
                kind: App
                metadata:
                  name: broken
                spec:
                  processes:
                    web:
                      count: 200
                """.write(to: bad, atomically: true, encoding: .utf8)
            let invalid = try await fail(cli, "apply", "-f", directory.path)
            #expect(invalid.stderr == "error: \(bad.path):13:7 (document 2, app 'broken'): spec.processes.web.count: must be between 0 and 100\n")
            #expect(try await cli.run(["diff", "-f", bad.path]).status == 2)
            try "apiVersion: pvdify.win/v1\nkind: App\nmetadata:\n  name: fresh\nspec:\n  imagee: x\n".write(to: bad, atomically: true, encoding: .utf8)
            #expect(try await fail(cli, "apply", "-f", bad.path).stderr.contains(":6:3 (document 1, app 'fresh'): spec.imagee: unknown field; did you mean 'image'?"))
            try "kind: App\nmetadata: {name: [x\n".write(to: bad, atomically: true, encoding: .utf8)
            #expect(try await fail(cli, "apply", "-f", bad.path).stderr.contains("bad.yaml:3:1: YAML syntax error in document 1"))
            try FileManager.default.removeItem(at: bad)
            #expect(try await fail(cli, "get", "app", "fresh").stderr == "error: App 'fresh' not found\n")

            // A refusal of the server (a secret that is not set) points at the file too.
            let shop = Binaries.repositoryRoot.appendingPathComponent("examples/domains-and-secrets/app.yaml").path
            let refused = try await fail(cli, "apply", "-f", shop)
            #expect(refused.stderr.contains("domains-and-secrets/app.yaml:"))
            #expect(refused.stderr.contains("(document 1, app 'shop'): spec.secrets[0]: secret 'STRIPE_KEY' is not set"))

            // delete -f removes the apps a file names.
            #expect(try await succeed(cli, "delete", "-f", directory.appendingPathComponent("frontends.yaml").path).stdout == "app/www deleted\napp/www-staging deleted\n")
            #expect(try await fail(cli, "delete", "-f", directory.appendingPathComponent("frontends.yaml").path).stderr.contains("App 'www' not found"))
            _ = try await succeed(cli, "delete", "-f", directory.path, "--ignore-not-found")
            #expect(try await succeed(cli, "get", "apps").stdout == "No apps.\n")
            #expect(try await fail(cli, "apply", "-f", "/nonexistent.yaml").stderr.contains("no such file"))
        }
    }

    @Test func helpCompletionAndUnreachableAPI() async throws {
        let cli = CLI(home: FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-home-\(UUID().uuidString)"), environment: [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": FileManager.default.temporaryDirectory.path,
            "PVDIFY_API_URL": "http://127.0.0.1:1",
            "PVDIFY_TOKEN": "pvd_anything",
        ])
        let root = try await succeed(cli, "--help")
        #expect(root.stdout.contains("apps:create") && root.stdout.contains("EXAMPLES:"))
        for command in ["apps:create", "deploy", "config:secret", "ps:scale", "logs", "apply", "diff", "get", "tokens:create"] {
            let help = try await succeed(cli, command, "--help")
            #expect(help.stdout.contains("EXAMPLE"), "\(command) --help has an example")
        }
        let unreachable = try await fail(cli, "apps")
        #expect(unreachable.stderr.contains("cannot reach the pvdify API at http://127.0.0.1:1: connection refused"))

        for shell in ["bash", "zsh", "fish"] {
            let script = try await succeed(cli, "--generate-completion-script", shell)
            #expect(script.stdout.contains("apps:create"), "\(shell)")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-completion-\(UUID().uuidString).\(shell)")
            try script.stdout.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            guard let shellPath = ["/bin/\(shell)", "/usr/bin/\(shell)"].first(where: FileManager.default.isExecutableFile) else { continue }
            let check = Process()
            check.executableURL = URL(fileURLWithPath: shellPath)
            check.arguments = ["-n", file.path]
            try check.run()
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "\(shell) -n accepts the script")
        }
        // bash completes after the colon of apps:cr (bash splits words at ':').
        let bash = try await succeed(cli, "--generate-completion-script", "bash")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-completion-\(UUID().uuidString).bash")
        try (bash.stdout + """

            COMP_LINE='pvdify apps:cr'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(pvdify apps : cr); COMP_CWORD=3
            _pvdify_colon_words pvdify cr :
            echo "${COMPREPLY[*]}"
            COMP_LINE='pvdify config:'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(pvdify config :); COMP_CWORD=2
            COMPREPLY=(); _pvdify_colon_words pvdify : config
            echo "${COMPREPLY[*]}"

            """).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = file.appendingPathExtension("out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/bin/bash")
        run.arguments = [file.path]
        run.standardOutput = try FileHandle(forWritingTo: output)
        try run.run()
        run.waitUntilExit()
        #expect(try String(contentsOf: output, encoding: .utf8) == "create\nset unset secret versions\n")
    }
}
