import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The app page's live log: the API's own event stream, opened with the session's cookie.
@Suite struct AdminUILogStreamTests {
    @Test func theLogStreamOpensWithTheLastLinesAndFollowsNewOnes() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            var request = HTTPClientRequest(url: auth.daemon.baseURL + "/ui/apps/shop/logs/stream")
            request.headers.add(name: "Cookie", value: "pvdify_session=\(try #require(browser.session))")
            let response = try await UIBrowser.client.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            #expect(response.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            var received = ""
            var scaled = false
            let deadline = ContinuousClock.now + .seconds(10)
            for try await chunk in response.body {
                received += String(buffer: chunk)
                // The backlog came first; a change made now arrives on the open stream.
                if !scaled && received.contains("App created by admin") {
                    scaled = true
                    #expect(try await auth.send("POST", "/apps/shop/ps/scale", json: #"{"web":2}"#).status == 200)
                }
                if received.contains("Scaled to") || ContinuousClock.now > deadline { break }
            }
            #expect(received.contains("data: {"))
            #expect(received.contains("App created by admin"))
            #expect(received.contains("Scaled to"))
        }
    }

    @Test func anotherAppsStreamIsRefusedForALimitedToken() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"blog"}"#).status == 201)
            let limited = try await auth.createToken("shop-only", scopes: ["read"], apps: ["shop"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(limited.secret)
            let page = try await browser.get("/ui/apps/blog/logs/stream")
            #expect(page.status == 403)
            #expect(!page.body.contains("App created"))
        }
    }
}
