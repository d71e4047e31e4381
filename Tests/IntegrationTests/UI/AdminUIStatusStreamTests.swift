import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The UI's status stream: an event naming an app whenever that app changes, for the apps the
/// session's token reaches, and only for a signed-in browser.
@Suite struct AdminUIStatusStreamTests {
    /// Opens `/ui/events` with the browser's session cookie.
    static func open(_ browser: UIBrowser) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: browser.baseURL + "/ui/events")
        request.headers.add(name: "Cookie", value: "pvdify_session=\(try #require(browser.session))")
        return try await UIBrowser.client.execute(request, timeout: .seconds(10))
    }

    /// Reads the stream until `done` says so about what arrived, or until the request's deadline.
    static func read(_ response: HTTPClientResponse, until done: (String) -> Bool) async throws -> String {
        var received = ""
        do {
            for try await chunk in response.body {
                received += String(buffer: chunk)
                if done(received) { break }
            }
        } catch {
            // The request's deadline ended the read; what arrived is judged by the caller.
        }
        return received
    }

    @Test func aChangeToAnAppArrivesAsAnEventNamingIt() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            let response = try await Self.open(browser)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            #expect(response.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(try await auth.send("POST", "/apps/shop/ps/scale", json: #"{"web":2}"#).status == 200)
            let received = try await Self.read(response) { $0.contains(#""app":"shop""#) }
            #expect(received.contains("event: app\ndata: {\"app\":\"shop\""))
        }
    }

    @Test func aLimitedTokensStreamNeverNamesAnotherApp() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"blog"}"#).status == 201)
            let limited = try await auth.createToken("shop-only", scopes: ["read"], apps: ["shop"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(limited.secret)
            let response = try await Self.open(browser)
            #expect(response.status == .ok)
            // The other app changes first (and is created anew), so any leak would come before shop's event.
            #expect(try await auth.send("POST", "/apps/blog/ps/scale", json: #"{"web":3}"#).status == 200)
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"news"}"#).status == 201)
            #expect(try await auth.send("POST", "/apps/shop/ps/scale", json: #"{"web":2}"#).status == 200)
            let received = try await Self.read(response) { $0.contains(#""app":"shop""#) }
            #expect(received.contains(#""app":"shop""#))
            #expect(!received.contains("blog"))
            #expect(!received.contains("news"))
        }
    }

    @Test func withoutASessionThereIsNoStream() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            let anonymous = try await browser.get("/ui/events")
            #expect(anonymous.status == 401)
            #expect(!anonymous.body.contains("event:"))
            let forged = try await browser.get("/ui/events", headers: [("Cookie", "pvdify_session=" + String(repeating: "a", count: 64))])
            #expect(forged.status == 401)
        }
    }

    @Test func aSessionHoldsAtMostFourStreams() async throws {
        try await UIDaemon.with { auth in
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(auth.admin)
            var open: [HTTPClientResponse] = []
            for _ in 0..<4 {
                let response = try await Self.open(browser)
                #expect(response.status == .ok)
                open.append(response)
            }
            let fifth = try await browser.get("/ui/events")
            #expect(fifth.status == 429)
            #expect(open.count == 4)
        }
    }
}
