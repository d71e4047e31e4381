import Crypto
import Foundation
import HTTPTypes
import PvdifyModel
import PvdifyStore
import Testing
@testable import PvdifyAPI

/// `POST /integrations/github/webhook` with GitHub-shaped payloads signed with the integration's
/// secret: pull requests create, update and delete previews; installations are recorded.
@Suite struct GitHubWebhookAPITests {
    static let secret = "gh-webhook-secret-for-tests-0123"
    static let sha1 = "1111111111111111111111111111111111111111"
    static let sha2 = "2222222222222222222222222222222222222222"

    static func harness(secret: String? = secret) async throws -> APIHarness {
        var settings = APISettings(baseDomain: "pvdify.win", requestsPerMinute: 10_000, deploysPerMinute: 10_000)
        settings.githubWebhookSecret = secret
        return try await APIHarness.make(settings)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A `pull_request` payload as GitHub sends it (the fields pvdify reads, and a few it does not).
    static func pullRequest(
        _ action: String, number: Int, sha: String = sha1, repo: String = "Example-Org/MyApp", headRepo: String? = nil,
        branch: String = "feature/login"
    ) -> String {
        json([
            "action": action, "number": number,
            "repository": ["full_name": repo, "private": false],
            "pull_request": [
                "number": number, "state": action == "closed" ? "closed" : "open", "merged": false, "title": "Add a login page",
                "head": ["sha": sha, "ref": branch, "repo": ["full_name": headRepo ?? repo]],
                "base": ["sha": sha2, "ref": "main", "repo": ["full_name": repo]],
            ],
            "sender": ["login": "octocat"],
        ])
    }

    static func signature(_ body: String, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func headers(_ event: String, body: String, delivery: String = UUID().uuidString, signature: String?? = nil) -> HTTPFields {
        var headers: HTTPFields = [HTTPField.Name("X-GitHub-Event")!: event, HTTPField.Name("X-GitHub-Delivery")!: delivery]
        if let value = signature ?? Self.signature(body) { headers[HTTPField.Name("X-Hub-Signature-256")!] = value }
        return headers
    }

    static func deliver(_ api: APIClient, _ event: String, _ body: String, delivery: String = UUID().uuidString) async throws -> APIClient.Reply {
        try await api.send(
            .post, "/api/v1/integrations/github/webhook", json: body, auth: .none, headers: headers(event, body: body, delivery: delivery))
    }

    /// App `web` opting in from example-org/myapp with an image template.
    static func optIn(_ api: APIClient, previews: String = #"{"image":"reg.io/web:sha-{sha}"}"#) async throws {
        try await api.createApp("web")
        let patched = try await api.patch("/api/v1/apps/web", #"{"github":{"repo":"example-org/myapp"},"previews":\#(previews)}"#)
        #expect(patched.status == .ok, "\(patched.text)")
        #expect(patched.json["github"]?["repo"] == "example-org/myapp")
    }

    @Test func openedSynchronizeAndClosedDriveThePreview() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api)
            let delivery = UUID().uuidString
            let opened = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 7), delivery: delivery)
            #expect(opened.status == .ok && opened.json["outcome"] == "applied", "\(opened.text)")
            #expect(opened.json["previews"]?[0]?["outcome"] == "created" && opened.json["previews"]?[0]?["preview"] == "web-pr-7")
            let preview = try await api.get("/api/v1/apps/web-pr-7")
            #expect(preview.json["image"] == .string("reg.io/web:sha-\(Self.sha1)") && preview.json["preview_of"] == "web")
            let listed = try await api.get("/api/v1/apps/web/previews").json["previews"]?[0]
            #expect(listed?["head_sha"] == .string(Self.sha1) && listed?["branch"] == "feature/login" && listed?["fork"] == .bool(false))
            let releases = try await api.get("/api/v1/apps/web-pr-7/releases")
            #expect(releases.json["releases"]?.arrayValue?.count == 1 && releases.json["releases"]?[0]?["created_by"] == "github")

            // GitHub's "Redeliver": answered, nothing changes.
            let again = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 7), delivery: delivery)
            #expect(again.status == .ok && again.json["outcome"] == "duplicate", "\(again.text)")
            #expect(try await api.get("/api/v1/apps/web-pr-7/releases").json["releases"]?.arrayValue?.count == 1)
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"]?[0]?["updated_at"] == listed?["updated_at"])

            // A new commit: a new release of the new SHA's image.
            let synchronized = try await Self.deliver(api, "pull_request", Self.pullRequest("synchronize", number: 7, sha: Self.sha2))
            #expect(synchronized.status == .ok && synchronized.json["previews"]?[0]?["outcome"] == "updated", "\(synchronized.text)")
            let newer = try await api.get("/api/v1/apps/web-pr-7/releases").json["releases"]
            #expect(newer?.arrayValue?.count == 2 && newer?[0]?["image"] == .string("reg.io/web:sha-\(Self.sha2)"))
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"]?[0]?["head_sha"] == .string(Self.sha2))

            // Labels and the like change nothing.
            let labeled = try await Self.deliver(api, "pull_request", Self.pullRequest("labeled", number: 7, sha: Self.sha2))
            #expect(labeled.status == .accepted && labeled.json["outcome"] == "ignored", "\(labeled.text)")

            let closed = try await Self.deliver(api, "pull_request", Self.pullRequest("closed", number: 7, sha: Self.sha2))
            #expect(closed.status == .ok && closed.json["previews"]?[0]?["outcome"] == "deleted", "\(closed.text)")
            #expect(try await api.get("/api/v1/apps/web-pr-7").status == .notFound)
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"] == [])
            let closedAgain = try await Self.deliver(api, "pull_request", Self.pullRequest("closed", number: 7, sha: Self.sha2))
            #expect(closedAgain.status == .accepted && closedAgain.json["outcome"] == "ignored", "\(closedAgain.text)")

            // Every delivery is audited against the parent app, without its body.
            let entries = try await api.get("/api/v1/audit").json["entries"]?.arrayValue ?? []
            let webhooks = entries.filter { $0["route"] == "/api/v1/integrations/github/webhook" }
            #expect(webhooks.count == 6, "\(webhooks)")
            #expect(webhooks.allSatisfy { $0["token_name"] == .null && $0["status"] != 401 })
            // All but the duplicate, answered before the payload is read, name the app.
            #expect(webhooks.filter { $0["app"] == "web" }.count == 5, "\(webhooks)")
            #expect(!"\(entries)".contains("Add a login page"))
        }
    }

    @Test func aMissingSHA1OnlyOrWrongSignatureIs401AndChangesNothing() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api)
            let body = Self.pullRequest("opened", number: 3)
            let path = "/api/v1/integrations/github/webhook"
            let missing = try await api.send(.post, path, json: body, auth: .none, headers: Self.headers("pull_request", body: body, signature: .some(nil)))
            #expect(missing.status == .unauthorized && missing.errorCode == "unauthorized", "\(missing.text)")
            var sha1Only = Self.headers("pull_request", body: body, signature: .some(nil))
            sha1Only[HTTPField.Name("X-Hub-Signature")!] = "sha1=" + String(repeating: "ab", count: 20)
            let legacy = try await api.send(.post, path, json: body, auth: .none, headers: sha1Only)
            #expect(legacy.status == .unauthorized && legacy.text.contains("HMAC-SHA1"), "\(legacy.text)")
            let wrongKey = Self.signature(body, secret: Self.secret + "x")
            #expect(try await api.send(.post, path, json: body, auth: .none, headers: Self.headers("pull_request", body: body, signature: .some(wrongKey))).status == .unauthorized)
            let otherBody = Self.signature(Self.pullRequest("opened", number: 4))
            #expect(try await api.send(.post, path, json: body, auth: .none, headers: Self.headers("pull_request", body: body, signature: .some(otherBody))).status == .unauthorized)
            // A bearer token stands in for no signature, and GitLab's token header is not GitHub's proof.
            #expect(try await api.send(.post, path, json: body, auth: .standard, headers: Self.headers("pull_request", body: body, signature: .some(nil))).status == .unauthorized)
            var gitlab = Self.headers("pull_request", body: body, signature: .some(nil))
            gitlab[HTTPField.Name("X-Gitlab-Token")!] = Self.secret
            #expect(try await api.send(.post, path, json: body, auth: .none, headers: gitlab).status == .unauthorized)
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"] == [])
            #expect(try await api.get("/api/v1/apps/web-pr-3").status == .notFound)
        }
        // With no secret configured, even a delivery signed with some secret is refused the same way.
        let unconfigured = try await Self.harness(secret: nil)
        try await unconfigured.run { api in
            try await Self.optIn(api)
            let refused = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 3))
            #expect(refused.status == .unauthorized && refused.json["error"]?["message"] == .string(GitHubWebhookController.refused.message))
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"] == [])
            #expect(try await api.get("/api/v1/integrations/github").json["webhook"]?["secret_configured"] == .bool(false))
        }
    }

    @Test func forkPullRequestsAreIgnoredUnlessAllowedAndNeverGetSecrets() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api, previews: #"{"image":"reg.io/web:pr-{number}","secrets":["API_KEY"]}"#)
            _ = try await api.post("/api/v1/apps/web/config/secrets", #"{"name":"API_KEY","value":"s3cret"}"#)
            _ = try await api.patch("/api/v1/apps/web/config", #"{"vars":{"MODE":"review"}}"#)
            let fork = Self.pullRequest("opened", number: 9, headRepo: "stranger/myapp")
            let ignored = try await Self.deliver(api, "pull_request", fork)
            #expect(ignored.status == .accepted && ignored.json["outcome"] == "ignored", "\(ignored.text)")
            #expect(ignored.json["previews"]?[0]?["message"]?.stringValue?.contains("previews.forks") == true)
            #expect(try await api.get("/api/v1/apps/web-pr-9").status == .notFound)

            #expect(try await api.patch("/api/v1/apps/web", #"{"previews":{"forks":true}}"#).status == .ok)
            let allowed = try await Self.deliver(api, "pull_request", fork)
            #expect(allowed.status == .ok && allowed.json["previews"]?[0]?["outcome"] == "created", "\(allowed.text)")
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"]?[0]?["fork"] == .bool(true))
            #expect(try await api.get("/api/v1/apps/web-pr-9/config").json["secrets"] == [])
            let forkEnv = try await harness.store.resolvedConfig("web-pr-9", version: 1)
            #expect(forkEnv["MODE"] == "review" && forkEnv["API_KEY"] == nil, "\(forkEnv.keys)")

            // The same repository's own pull request gets the allow-listed secret.
            let own = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 10))
            #expect(own.status == .ok, "\(own.text)")
            #expect(try await api.get("/api/v1/apps/web-pr-10/config").json["secrets"] == ["API_KEY"])
        }
    }

    @Test func eventsNoAppTakesAreIgnored() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api)
            try await api.createApp("plain")
            _ = try await api.patch("/api/v1/apps/plain", #"{"github":{"repo":"example-org/plain"}}"#)
            let elsewhere = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 5, repo: "example-org/other"))
            #expect(elsewhere.status == .accepted && elsewhere.json["outcome"] == "ignored", "\(elsewhere.text)")
            #expect(elsewhere.json["message"]?.stringValue?.contains("example-org/other") == true)
            // An app without a previews.image template: ignored, saying why.
            let untemplated = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 5, repo: "example-org/plain"))
            #expect(untemplated.status == .accepted && untemplated.json["outcome"] == "ignored", "\(untemplated.text)")
            #expect(untemplated.json["previews"]?[0]?["message"]?.stringValue?.contains("previews.image") == true)
            let ping = try await Self.deliver(api, "ping", #"{"zen":"Keep it logically awesome."}"#)
            #expect(ping.status == .ok && ping.json["outcome"] == "pong", "\(ping.text)")
            let issue = try await Self.deliver(api, "issues", #"{"action":"opened"}"#)
            #expect(issue.status == .accepted && issue.json["outcome"] == "ignored", "\(issue.text)")
            let garbled = try await Self.deliver(api, "pull_request", #"{"action":"opened","number":"x"}"#)
            #expect(garbled.status == .accepted && garbled.json["outcome"] == "ignored", "\(garbled.text)")
            let deep = String(repeating: "[", count: 100_000)
            let nested = try await Self.deliver(api, "pull_request", deep)
            #expect(nested.status == .accepted && nested.json["outcome"] == "ignored", "\(nested.text)")
            #expect(try await api.get("/api/v1/apps/web/previews").json["previews"] == [])
            #expect(try await api.get("/api/v1/apps/plain/previews").json["previews"] == [])
        }
    }

    @Test func formEncodedPayloadsAreReadToo() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api)
            let payload = Self.pullRequest("opened", number: 21)
            let form = "payload=" + payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let reply = try await api.send(
                .post, "/api/v1/integrations/github/webhook", json: form, contentType: "application/x-www-form-urlencoded",
                auth: .none, headers: Self.headers("pull_request", body: form))
            #expect(reply.status == .ok && reply.json["outcome"] == "applied", "\(reply.text)")
            #expect(try await api.get("/api/v1/apps/web-pr-21").json["image"] == .string("reg.io/web:sha-\(Self.sha1)"))
        }
    }

    @Test func theCapRefusesOneMoreAndSaysSo() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api, previews: #"{"image":"reg.io/web:pr-{number}","max":1}"#)
            #expect(try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 1)).status == .ok)
            let delivery = UUID().uuidString
            let refused = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 2), delivery: delivery)
            #expect(refused.status == .accepted && refused.json["outcome"] == "limit_reached", "\(refused.text)")
            #expect(refused.json["message"]?.stringValue?.contains("previews.max 1") == true)
            #expect(try await api.get("/api/v1/apps/web-pr-2").status == .notFound)
            // The existing preview still follows its commits.
            let synchronized = try await Self.deliver(api, "pull_request", Self.pullRequest("synchronize", number: 1, sha: Self.sha2))
            #expect(synchronized.status == .ok && synchronized.json["previews"]?[0]?["outcome"] == "updated", "\(synchronized.text)")
            // The parent's log says so.
            let lines = try await api.get("/api/v1/apps/web/logs").json["lines"]?.arrayValue ?? []
            #expect(lines.contains { $0["message"]?.stringValue?.contains("previews.max 1") == true }, "\(lines)")
            // Once PR 1 is closed, GitHub's "Redeliver" of the refused delivery makes the preview.
            #expect(try await Self.deliver(api, "pull_request", Self.pullRequest("closed", number: 1)).status == .ok)
            let redelivered = try await Self.deliver(api, "pull_request", Self.pullRequest("opened", number: 2), delivery: delivery)
            #expect(redelivered.status == .ok && redelivered.json["previews"]?[0]?["outcome"] == "created", "\(redelivered.text)")
            #expect(try await api.get("/api/v1/apps/web-pr-2").status == .ok)
        }
    }

    @Test func installationsAreRecordedAndShownToAdmins() async throws {
        let harness = try await Self.harness()
        try await harness.run { api in
            try await Self.optIn(api)
            let created = Self.json([
                "action": "created",
                "installation": ["id": 4242, "account": ["login": "example-org"], "repository_selection": "selected"],
                "repositories": [["full_name": "example-org/MyApp"], ["full_name": "example-org/docs"], ["full_name": "bad name/x"]],
            ])
            let recorded = try await Self.deliver(api, "installation", created)
            #expect(recorded.status == .ok && recorded.json["outcome"] == "recorded", "\(recorded.text)")
            let changed = Self.json([
                "action": "added", "repository_selection": "selected",
                "installation": ["id": 4242, "account": ["login": "example-org"]],
                "repositories_added": [["full_name": "example-org/api"]],
                "repositories_removed": [["full_name": "example-org/docs"]],
            ])
            #expect(try await Self.deliver(api, "installation_repositories", changed).json["outcome"] == "recorded")

            let shown = try await api.get("/api/v1/integrations/github")
            #expect(shown.status == .ok, "\(shown.text)")
            #expect(shown.json["webhook"]?["secret_configured"] == .bool(true))
            let installation = shown.json["installations"]?[0]
            #expect(installation?["id"] == 4242 && installation?["account"] == "example-org" && installation?["repository_selection"] == "selected")
            #expect(installation?["repositories"] == ["example-org/api", "example-org/MyApp"])
            let app = shown.json["apps"]?[0]
            #expect(app?["name"] == "web" && app?["repo"] == "example-org/myapp" && app?["installed"] == .bool(true), "\(shown.text)")
            #expect(shown.json["apps"]?.arrayValue?.count == 1)

            let reader = try await harness.token("reader", [.read])
            #expect(try await api.get("/api/v1/integrations/github", auth: .bearer(reader)).status == .forbidden)
            #expect(try await api.get("/api/v1/integrations/github", auth: .none).status == .unauthorized)

            let deleted = Self.json(["action": "deleted", "installation": ["id": 4242, "account": ["login": "example-org"]]])
            #expect(try await Self.deliver(api, "installation", deleted).json["outcome"] == "recorded")
            let after = try await api.get("/api/v1/integrations/github")
            #expect(after.json["installations"] == [] && after.json["apps"]?[0]?["installed"] == .bool(false))
        }
    }

    @Test func specGithubIsValidatedAndTravelsInManifests() async throws {
        #expect(GitHubLink.repositoryProblem("octo-org/hello.world_2") == nil)
        #expect(GitHubLink.repositoryProblem("a/.github") == nil)
        for bad in ["octo", "a/b/c", "-org/x", "org-/x", "org/.", "org/..", "org/", "/x", "o rg/x", "org/x y",
                    String(repeating: "a", count: 40) + "/x", "org/" + String(repeating: "x", count: 101)] {
            #expect(GitHubLink.repositoryProblem(bad) != nil, "\(bad)")
        }
        #expect(GitHubLink(repo: "Example-Org/MyApp").matches("example-org/myapp"))
        #expect(!GitHubLink(repo: "example-org/myapp").matches("example-org/myapp2"))

        let harness = try await Self.harness()
        try await harness.run { api in
            try await api.createApp("web")
            for body in [#"{"github":{"repo":"a/b/c"}}"#, #"{"github":{"repo":"org/.."}}"#, #"{"github":{}}"#, #"{"github":{"repo":7}}"#] {
                #expect(try await api.patch("/api/v1/apps/web", body).errorField == "github.repo", "\(body)")
            }
            #expect(try await api.patch("/api/v1/apps/web", #"{"github":{"repo":"a/b","branch":"main"}}"#).status == .unprocessableContent)
            #expect(try await api.patch("/api/v1/apps/web", #"{"github":{"repo":"octo-org/web"}}"#).status == .ok)
            let manifest = try await api.send(.get, "/api/v1/apps/web/manifest", headers: [.accept: "application/json"])
            #expect(manifest.json["spec"]?["github"]?["repo"] == "octo-org/web", "\(manifest.text)")
            let yaml = try await api.get("/api/v1/apps/web/manifest").text
            #expect(yaml.contains("github:") && yaml.contains("repo: octo-org/web"), "\(yaml)")
            #expect(try await api.patch("/api/v1/apps/web", #"{"github":null}"#).json["github"] == .null)
            // A manifest sets it too; a preview never inherits it.
            let document = #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"web"},"spec":{"github":{"repo":"octo-org/web"},"previews":{"image":"reg.io/w:pr-{number}"}}}"#
            let put = try await api.send(.put, "/api/v1/apps/web/manifest", json: document)
            #expect(put.status == .ok, "\(put.text)")
            #expect(try await api.get("/api/v1/apps/web").json["github"]?["repo"] == "octo-org/web")
            #expect(try await api.post("/api/v1/apps/web/previews", #"{"pr_number":4}"#).status == .created)
            #expect(try await api.get("/api/v1/apps/web-pr-4").json["github"] == .null)
        }
    }
}
