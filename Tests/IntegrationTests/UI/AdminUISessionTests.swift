import Foundation
import Testing

/// Signing in and out of the Admin UI, its session cookie and its security headers, through the
/// real pvdifyd binary.
@Suite struct AdminUISessionTests {
    static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    @Test func aBadTokenDoesNotSignIn() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            let page = try await browser.signIn("pvd_" + String(repeating: "0", count: 64))
            #expect(page.status == 401)
            #expect(page.body.contains("Invalid or missing token"))
            #expect(page.header("Set-Cookie") == nil)
            #expect(browser.session == nil)
            #expect(try await browser.get("/ui/apps").status == 303)
        }
    }

    @Test func aGoodTokenSetsAStrictSessionCookie() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            let page = try await browser.signIn(auth.admin)
            #expect(page.status == 303)
            #expect(page.header("Location") == "/ui/apps")
            let cookie = try #require(page.header("Set-Cookie"))
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.contains("HttpOnly"))
            #expect(attributes.contains("SameSite=Strict"))
            #expect(attributes.contains("Path=/ui"))
            #expect(attributes.contains { $0.hasPrefix("Max-Age=") && Int($0.dropFirst(8)).map { $0 > 0 } == true })
            #expect(!attributes.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back")
            // The cookie holds a random id, never the token.
            #expect(!cookie.contains(auth.admin))
            let apps = try await browser.get("/ui/apps")
            #expect(apps.status == 200)
            #expect(apps.body.contains("<h1>Apps</h1>"))
            // Each page renews the cookie's lifetime, as it renews the session's idle time.
            let session = try #require(browser.session)
            #expect(apps.header("Set-Cookie")?.hasPrefix("pvdify_session=\(session); Path=/ui; HttpOnly; SameSite=Strict") == true)

            // Behind a TLS proxy the cookie is Secure.
            let behindTLS = UIBrowser(baseURL: auth.daemon.baseURL)
            let tlsPage = try await behindTLS.post("/ui/login", [("token", auth.admin)], headers: [("X-Forwarded-Proto", "https")])
            #expect(tlsPage.header("Set-Cookie")?.contains("; Secure") == true)
        }
    }

    @Test func pagesNeedASession() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            for path in ["/ui", "/ui/apps", "/ui/apps/shop", "/ui/settings", "/ui/apps/shop/releases/1"] {
                let page = try await browser.get(path)
                #expect(page.status == 303, "\(path)")
                #expect(page.header("Location") == (path == "/ui" ? "/ui/apps" : "/ui/login"), "\(path)")
                #expect(!page.body.contains("shop"), "\(path)")
            }
            // A made-up session id is no session.
            browser.session = String(repeating: "ab", count: 32)
            #expect(try await browser.get("/ui/apps").header("Location") == "/ui/login")
            #expect(try await browser.get("/ui/apps/shop/logs/stream").status == 401)
        }
    }

    @Test func everyUIAnswerCarriesTheSecurityHeaders() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            var pages = [
                try await browser.get("/ui/login"), try await browser.get("/ui/apps"), try await browser.get("/ui/assets/style.css"),
                try await browser.get("/ui/assets/ui.js"), try await browser.get("/ui/no-such-page"),
                try await browser.post("/ui/apps/shop/config", [("key", "A")]),
            ]
            pages.append(try await browser.signIn(auth.admin))
            pages.append(try await browser.get("/ui/apps"))
            pages.append(try await browser.get("/ui/settings"))
            pages.append(try await browser.get("/ui/apps/missing"))
            for page in pages {
                #expect(page.header("Content-Security-Policy") == Self.policy, "\(page.status)")
                #expect(page.header("X-Frame-Options") == "DENY")
                #expect(page.header("X-Content-Type-Options") == "nosniff")
                #expect(page.header("Referrer-Policy") == "same-origin")
                #expect(page.header("Cache-Control") == "no-store")
            }
            // No inline script or style: every script has a src, no style element or attribute.
            for page in pages where page.header("Content-Type")?.hasPrefix("text/html") == true {
                #expect(!page.body.contains("<script>"))
                #expect(page.body.components(separatedBy: "<script").count == page.body.components(separatedBy: "<script src=").count)
                #expect(!page.body.contains("<style"))
                #expect(!page.body.contains("style="))
            }
            #expect(pages[2].header("Content-Type")?.hasPrefix("text/css") == true)
            #expect(pages[3].header("Content-Type")?.hasPrefix("text/javascript") == true)
            #expect(pages[9].status == 404)
        }
    }

    @Test func uiOffServesNoUI() async throws {
        try await UIDaemon.with(["--ui", "off"]) { auth in
            let page = try await UIBrowser(baseURL: auth.daemon.baseURL).get("/ui/login")
            #expect(page.status == 401 || page.status == 404)
            #expect(!page.body.contains("Token"))
            #expect(try await auth.send("GET", "/apps").status == 200)
        }
    }

    @Test func signingOutEndsTheSessionOnTheServer() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let oldSession = try #require(browser.session)
            let csrf = try #require(try await browser.get("/ui/apps").csrf)
            let out = try await browser.post("/ui/logout", [("csrf", csrf)])
            #expect(out.status == 303)
            #expect(out.header("Location") == "/ui/login")
            #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
            // The old cookie, replayed, no longer opens anything.
            browser.session = oldSession
            #expect(try await browser.get("/ui/apps").header("Location") == "/ui/login")
            #expect(try await browser.get("/ui/settings").header("Location") == "/ui/login")
        }
    }

    @Test func revokingATokenEndsItsSessions() async throws {
        try await UIDaemon.with { auth in
            let token = try await auth.createToken("laptop", scopes: ["write"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(token.secret)
            #expect(try await browser.get("/ui/apps").status == 200)
            #expect(try await auth.send("DELETE", "/tokens/\(token.id)").status == 204)
            let page = try await browser.get("/ui/apps")
            #expect(page.status == 303)
            #expect(page.header("Location") == "/ui/login")
        }
    }

    @Test func loginIsRateLimitedPerClient() async throws {
        try await UIDaemon.with(rateLimit: 20) { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            var statuses: [UInt] = []
            for _ in 0..<25 { statuses.append(try await browser.signIn("pvd_wrong").status) }
            #expect(statuses.first == 401)
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
            #expect(statuses.last == 429)
            #expect(browser.session == nil)
        }
    }
}
