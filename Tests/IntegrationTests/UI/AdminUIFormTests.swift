import Foundation
import PvdifyModel
import Testing

/// The Admin UI's forms change desired state through the API's own routes, and only for a
/// session that sent the form itself, with a token allowed to.
@Suite struct AdminUIFormTests {
    static let image = "127.0.0.1:5000/pvdify-test:v1"

    /// An app with two releases (v2 active), made through the API.
    static func makeApp(_ auth: AuthDaemon, _ name: String) async throws {
        #expect(try await auth.send("POST", "/apps", json: #"{"name":"\#(name)"}"#).status == 201)
        #expect(try await auth.send("POST", "/apps/\(name)/releases", json: #"{"image":"\#(image)"}"#).status == 201)
        let v2 = #"{"image":"127.0.0.1:5000/pvdify-test:v2"}"#
        #expect(try await auth.send("POST", "/apps/\(name)/releases", json: v2).status == 201)
    }

    static func configVars(_ auth: AuthDaemon, _ app: String) async throws -> [String: JSONValue] {
        try await auth.send("GET", "/apps/\(app)/config").json["vars"]?.objectValue ?? [:]
    }

    @Test func aPostWithoutTheCSRFTokenOrFromAnotherSiteIsRefused() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let csrf = try #require(try await browser.get("/ui/apps/shop").csrf)
            let form = [("key", "FORGED"), ("value", "1")]
            #expect(try await browser.post("/ui/apps/shop/config", form).status == 403)
            #expect(try await browser.post("/ui/apps/shop/config", form + [("csrf", String(repeating: "0", count: 64))]).status == 403)
            let signed = form + [("csrf", csrf)]
            #expect(try await browser.post("/ui/apps/shop/config", signed, headers: [("Origin", "https://evil.example")]).status == 403)
            #expect(try await browser.post("/ui/apps/shop/config", signed, headers: [("Sec-Fetch-Site", "cross-site")]).status == 403)
            #expect(try await browser.post("/ui/apps/shop/config", signed, headers: [("Sec-Fetch-Site", "same-site")]).status == 403)
            #expect(try await browser.post("/ui/apps/shop/ps/scale", [("csrf", csrf)]).status == 404)
            #expect(try await browser.post("/ui/apps/shop/scale", [("type", "web"), ("count", "0")]).status == 403)
            #expect(try await browser.post("/ui/logout", []).status == 403)
            // A login form posted from another site is refused too.
            let other = UIBrowser(baseURL: auth.daemon.baseURL)
            #expect(try await other.post("/ui/login", [("token", auth.admin)], headers: [("Origin", "https://evil.example")]).status == 403)
            #expect(other.session == nil)
            // Nothing changed, and the session still works.
            #expect(try await Self.configVars(auth, "shop")["FORGED"] == nil)
            #expect(try await auth.send("GET", "/apps/shop/ps").json["processes"]?[0]?["count"]?.intValue == 1)
            #expect(try await browser.get("/ui/apps").status == 200)
            // The same form from this site, with the token, works.
            let origin = auth.daemon.baseURL
            let done = try await browser.post("/ui/apps/shop/config", signed, headers: [("Origin", origin), ("Sec-Fetch-Site", "same-origin")])
            #expect(done.status == 303)
            #expect(try await Self.configVars(auth, "shop")["FORGED"] == .string("1"))
        }
    }

    @Test func configVarsAndSecretsThroughFormsNeverShowTheSecret() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let csrf = try #require(try await browser.get("/ui/apps/shop").csrf)
            let secretValue = "sk_live_" + UUID().uuidString
            var answer = try await browser.post("/ui/apps/shop/config", [("csrf", csrf), ("key", "GREETING"), ("value", "<b>hi</b>")])
            #expect(answer.status == 303)
            #expect(answer.header("Location") == "/ui/apps/shop")
            answer = try await browser.post("/ui/apps/shop/secrets", [("csrf", csrf), ("name", "API_KEY"), ("value", secretValue)])
            #expect(answer.status == 303)
            let config = try await auth.send("GET", "/apps/shop/config").json
            #expect(config["vars"]?["GREETING"] == .string("<b>hi</b>"))
            #expect(config["secrets"] == .array([.string("API_KEY")]))

            let app = try await browser.get("/ui/apps/shop")
            #expect(app.body.contains("Set secret API_KEY"), "the action's notice")
            #expect(app.body.contains("&lt;b&gt;hi&lt;/b&gt;"), "values are escaped")
            #expect(!app.body.contains("<b>hi</b>"))
            #expect(app.body.contains("API_KEY"))
            #expect(app.body.contains("[REDACTED]"))
            for path in ["/ui/apps/shop", "/ui/apps", "/ui/settings", "/ui/apps/shop/releases/3"] {
                let page = try await browser.get(path)
                #expect(page.status == 200, "\(path)")
                #expect(!page.body.contains(secretValue), "\(path)")
            }

            // The details page lists the config versions, the manifest and the previews with their
            // PR, URL and expiry, never the secret.
            let preview = try await auth.send("POST", "/apps/shop/previews", json: #"{"pr_number":7,"image":"reg.io/shop:pr-7"}"#)
            #expect(preview.status == 201)
            let expiresAt = try #require(try await auth.send("GET", "/apps/shop/previews").json["previews"]?[0]?["expires_at"]?.stringValue)
            let details = try await browser.get("/ui/apps/shop/details")
            #expect(details.body.contains("<strong>shop-pr-7</strong> PR 7"))
            #expect(details.body.contains("expires <time>\(expiresAt)</time></li>"), "no GitHub part without spec.github")
            // Linked to a repository no App installation covers: the preview says why GitHub shows nothing.
            #expect(try await auth.send("PATCH", "/apps/shop", json: #"{"github":{"repo":"octo-org/shop"}}"#).status == 200)
            #expect(try await auth.send("POST", "/apps/shop/previews", json: #"{"pr_number":7,"image":"reg.io/shop:pr-7","head_sha":"abc1234"}"#).status == 200)
            let linked = try await browser.get("/ui/apps/shop/details")
            #expect(linked.body.contains("GitHub: nothing posted (No deployment: no GitHub App installation covered octo-org/shop"), "\(linked.body)")
            #expect(details.status == 200)
            #expect(details.body.contains("API_KEY"))
            #expect(details.body.contains("kind: App"))
            #expect(details.body.contains("<strong>v2</strong>"))
            #expect(!details.body.contains(secretValue))
            // Removing a var goes through DELETE .../config/{key}.
            answer = try await browser.post("/ui/apps/shop/config/remove", [("csrf", csrf), ("key", "GREETING")])
            #expect(answer.status == 303)
            #expect(try await Self.configVars(auth, "shop")["GREETING"] == nil)
            // The API's own words come back for a bad request.
            answer = try await browser.post("/ui/apps/shop/config", [("csrf", csrf), ("key", "bad key"), ("value", "x")])
            #expect(answer.status == 422)
            #expect(answer.body.contains("flash error"))
        }
    }

    @Test func scaleAndRollbackThroughFormsChangeTheDesiredState() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let csrf = try #require(try await browser.get("/ui/apps/shop").csrf)
            var answer = try await browser.post("/ui/apps/shop/scale", [("csrf", csrf), ("type", "web"), ("count", "2")])
            #expect(answer.status == 303)
            let processes = try await auth.send("GET", "/apps/shop/ps").json["processes"]
            #expect(processes?[0]?["type"] == .string("web"))
            #expect(processes?[0]?["count"] == .int(2))

            answer = try await browser.post("/ui/apps/shop/rollback", [("csrf", csrf), ("version", "1")])
            #expect(answer.status == 303)
            let newest = try await auth.send("GET", "/apps/shop/releases").json["releases"]?[0]
            #expect(newest?["version"] == .int(3))
            #expect(newest?["image"] == .string(Self.image))
            #expect(newest?["created_by"] == .string("admin"))
            let page = try await browser.get("/ui/apps/shop")
            #expect(page.body.contains("<td>v3</td>"))

            answer = try await browser.post("/ui/apps/shop/deploy", [("csrf", csrf), ("image", "127.0.0.1:5000/pvdify-test:v2")])
            #expect(answer.status == 303)
            #expect(try await auth.send("GET", "/apps/shop/releases").json["releases"]?[0]?["version"] == .int(4))
            // A count the API refuses is shown as the API words it, and changes nothing.
            answer = try await browser.post("/ui/apps/shop/scale", [("csrf", csrf), ("type", "web"), ("count", "-1")])
            #expect(answer.status == 422)
            #expect(try await auth.send("GET", "/apps/shop/ps").json["processes"]?[0]?["count"] == .int(2))
        }
    }

    @Test func domainsAreAddedVerifiedAndRemovedThroughForms() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let csrf = try #require(try await browser.get("/ui/apps/shop").csrf)
            #expect(try await browser.post("/ui/apps/shop/domains", [("csrf", csrf), ("domain", "shop.example.com")]).status == 303)
            let listed = try await auth.send("GET", "/apps/shop/domains").json["domains"]?.arrayValue ?? []
            #expect(listed.map { $0["name"] } == [.string("shop.example.com")])
            var page = try await browser.get("/ui/apps/shop")
            #expect(page.body.contains("<code>shop.example.com</code>"))
            #expect(try await browser.post("/ui/apps/shop/domains/verify", [("csrf", csrf), ("domain", "shop.example.com")]).status == 303)
            page = try await browser.get("/ui/apps/shop")
            #expect(page.body.contains("_pvdify-verify.shop.example.com TXT"))
            // The API's own refusal of a bad name.
            let bad = try await browser.post("/ui/apps/shop/domains", [("csrf", csrf), ("domain", "not a domain")])
            #expect(bad.status == 422)
            #expect(try await browser.post("/ui/apps/shop/domains/remove", [("csrf", csrf), ("domain", "shop.example.com")]).status == 303)
            #expect(try await auth.send("GET", "/apps/shop/domains").json["domains"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func sourcesAreListedAndSyncedThroughTheForm() async throws {
        try await UIDaemon.with { auth in
            let source = #"{"name":"platform","url":"file:///srv/platform.git","ref":{"branch":"main"},"path":"apps"}"#
            #expect(try await auth.send("POST", "/sources", json: source).status == 201)
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let page = try await browser.get("/ui/sources")
            #expect(page.status == 200)
            #expect(page.body.contains("<h2>platform</h2>"))
            #expect(page.body.contains("file:///srv/platform.git"))
            let csrf = try #require(page.csrf)
            let before = try await auth.send("GET", "/sources/platform").json["sync_requested_at"]
            let synced = try await browser.post("/ui/sources/sync", [("csrf", csrf), ("source", "platform")])
            #expect(synced.status == 303)
            #expect(synced.header("Location") == "/ui/sources")
            let after = try await auth.send("GET", "/sources/platform").json["sync_requested_at"]
            #expect(after != nil && after != .null && after != before)
            #expect(try await browser.post("/ui/sources/sync", [("csrf", csrf), ("source", "nope")]).status == 404)
            // An app-limited token is told why it cannot see sources, in the API's words.
            let limited = try await auth.createToken("shop-only", scopes: ["write"], apps: ["shop"])
            let other = UIBrowser(baseURL: auth.daemon.baseURL)
            try await other.signIn(limited.secret)
            #expect(try await other.get("/ui/sources").status == 403)
        }
    }

    @Test func formsAreAuditedAsTheAPICallsTheyAre() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let operator_ = try await auth.createToken("operator", scopes: ["write"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(operator_.secret)
            let csrf = try #require(try await browser.get("/ui/apps/shop").csrf)
            #expect(try await browser.post("/ui/apps/shop/restart", [("csrf", csrf), ("type", "web")]).status == 303)
            #expect(try await browser.post("/ui/apps/shop/scale", [("csrf", csrf), ("type", "web"), ("count", "3")]).status == 303)
            #expect(try await browser.post("/ui/apps/shop/restart", [("csrf", csrf), ("type", "nope")]).status == 422)
            let entries = try await auth.send("GET", "/audit?token=operator").json["entries"]?.arrayValue ?? []
            let summary = entries.map { "\($0["method"]?.stringValue ?? "") \($0["route"]?.stringValue ?? "-") \($0["status"]?.intValue ?? 0)" }
            #expect(summary == [
                "POST /api/v1/apps/{name}/ps/restart 422",
                "POST /api/v1/apps/{name}/ps/scale 200",
                "POST /api/v1/apps/{name}/ps/restart 200",
            ], "\(summary)")
            #expect(entries.allSatisfy { $0["source"] == "127.0.0.1" && $0["app"] == "shop" })
        }
    }

    @Test func aReadOnlyTokenSeesNoFormsAndItsForgedPostsAreRefused() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            let reader = try await auth.createToken("viewer", scopes: ["read"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(reader.secret)
            let app = try await browser.get("/ui/apps/shop")
            #expect(app.status == 200)
            // Only the sign-out form is on its pages.
            #expect(app.body.components(separatedBy: "<form").count == 2)
            #expect(app.body.contains("action=\"/ui/logout\""))
            let settings = try await browser.get("/ui/settings")
            #expect(settings.body.components(separatedBy: "<form").count == 2)
            #expect(!settings.body.contains("/ui/settings/tokens"))
            let csrf = try #require(app.csrf)
            let forged: [(String, [(String, String)])] = [
                ("/ui/apps/shop/scale", [("type", "web"), ("count", "5")]),
                ("/ui/apps/shop/rollback", [("version", "1")]),
                ("/ui/apps/shop/config", [("key", "X"), ("value", "1")]),
                ("/ui/apps/shop/secrets", [("name", "S"), ("value", "1")]),
                ("/ui/apps/shop/deploy", [("image", Self.image)]),
                ("/ui/settings/tokens", [("name", "more"), ("scopes", "admin")]),
            ]
            for (path, form) in forged {
                let answer = try await browser.post(path, form + [("csrf", csrf)])
                #expect(answer.status == 403, "\(path)")
                #expect(answer.body.contains("scope"), "\(path): the API's reason")
            }
            #expect(try await auth.send("GET", "/apps/shop/ps").json["processes"]?[0]?["count"] == .int(1))
            #expect(try await auth.send("GET", "/apps/shop/releases").json["releases"]?.arrayValue?.count == 2)
            #expect(try await Self.configVars(auth, "shop").isEmpty)
            #expect(try await auth.send("GET", "/tokens").json["tokens"]?.arrayValue?.count == 2)
        }
    }

    @Test func anAppLimitedTokenSeesOnlyItsApps() async throws {
        try await UIDaemon.with { auth in
            try await Self.makeApp(auth, "shop")
            try await Self.makeApp(auth, "blog")
            let limited = try await auth.createToken("shop-only", scopes: ["write"], apps: ["shop"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(limited.secret)
            let apps = try await browser.get("/ui/apps")
            #expect(apps.body.contains("/ui/apps/shop"))
            #expect(!apps.body.contains("blog"))
            // The row shows the app's phase, image, instances and last deploy.
            #expect(apps.body.contains("phase-pending"))
            #expect(apps.body.contains("<code>127.0.0.1:5000/pvdify-test:v2</code>"))
            #expect(apps.body.contains("<td>0/1</td>"))
            #expect(apps.body.range(of: "<td>20[0-9]{2}-[0-9]{2}-[0-9]{2}T", options: .regularExpression) != nil)
            let other = try await browser.get("/ui/apps/blog")
            #expect(other.status == 403)
            let csrf = try #require(apps.csrf)
            #expect(try await browser.post("/ui/apps/blog/scale", [("csrf", csrf), ("type", "web"), ("count", "3")]).status == 403)
            #expect(try await auth.send("GET", "/apps/blog/ps").json["processes"]?[0]?["count"] == .int(1))
        }
    }

    @Test func aTokenMadeThroughTheFormIsShownOnceAndCanBeRevoked() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let csrf = try #require(try await browser.get("/ui/settings").csrf)
            let made = try await browser.post(
                "/ui/settings/tokens",
                [("csrf", csrf), ("name", "ci"), ("scopes", "read"), ("scopes", "deploy"), ("apps", "shop"), ("expires_in", "30d")])
            #expect(made.status == 200)
            let range = try #require(made.body.range(of: "pvd_[0-9a-f]{64}", options: .regularExpression))
            let secret = String(made.body[range])
            let whoami = try await auth.send("GET", "/whoami", token: secret)
            #expect(whoami.status == 200)
            #expect(whoami.json["scopes"] == .array([.string("read"), .string("deploy")]))
            #expect(whoami.json["apps"] == .array([.string("shop")]))
            // Shown once: the settings page lists the token, never its secret again.
            let again = try await browser.get("/ui/settings")
            #expect(again.body.contains("<td>ci</td>"))
            #expect(!again.body.contains(secret))
            // The settings show the sealing key's recipient, and after a rotation the retired one.
            let recipient = try #require(try await auth.send("GET", "/sealing-key").json["recipient"]?.stringValue)
            #expect(again.body.contains("<code>\(recipient)</code>") && !again.body.contains("Retired sealing keys"))
            let rotated = try await auth.send("POST", "/sealing-key/rotate")
            #expect(rotated.status == 201)
            let afterRotation = try await browser.get("/ui/settings").body
            let current = try #require(rotated.json["recipient"]?.stringValue)
            #expect(afterRotation.contains("<code>\(current)</code>") && afterRotation.contains("Retired sealing keys"), "\(afterRotation)")
            #expect(afterRotation.contains("<code>\(recipient)</code> (values sealed to them still open)"))

            let tokens = try await auth.send("GET", "/tokens").json["tokens"]?.arrayValue ?? []
            let id = try #require(tokens.first { $0["name"] == .string("ci") }?["id"]?.stringValue)
            let revoked = try await browser.post("/ui/settings/tokens/revoke", [("csrf", csrf), ("id", id)])
            #expect(revoked.status == 303)
            #expect(try await auth.send("GET", "/whoami", token: secret).status == 401)
            // A form the API refuses says why, in the API's words.
            let bad = try await browser.post("/ui/settings/tokens", [("csrf", csrf), ("name", "x"), ("scopes", "root")])
            #expect(bad.status == 422)
            #expect(bad.body.contains("must be one of read, deploy, write, admin"))
        }
    }
}
