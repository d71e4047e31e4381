import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
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

    /// What a stream delivered within a bounded wait, and whether the server ended it.
    final class Received: Sendable {
        private let state = Mutex<(text: String, ended: Bool)>(("", false))
        var text: String { state.withLock { $0.text } }
        var ended: Bool { state.withLock { $0.ended } }
        func append(_ chunk: String) { state.withLock { $0.text += chunk } }
        func end() { state.withLock { $0.ended = true } }
    }

    /// Reads the stream until `done` holds for what arrived, the server ends it, or `limit` passes
    /// (a reader that never returns would hang the test, so the wait is bounded here).
    static func read(
        _ response: HTTPClientResponse, limit: Duration = .seconds(8), until done: (String) -> Bool = { _ in false }
    ) async throws -> Received {
        let received = Received()
        let reader = Task {
            do {
                for try await chunk in response.body { received.append(String(buffer: chunk)) }
                received.end()
            } catch {
                // Cancelled at the deadline, or the connection went: not an end the server chose.
            }
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, !received.ended, !done(received.text) {
            try await Task.sleep(for: .milliseconds(50))
        }
        reader.cancel()
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
            let received = try await Self.read(response) { $0.contains(#""app":"shop""#) }.text
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
            let received = try await Self.read(response) { $0.contains(#""app":"shop""#) }.text
            #expect(received.contains(#""app":"shop""#))
            #expect(!received.contains("blog"))
            #expect(!received.contains("news"))
        }
    }

    @Test func revokingTheTokenEndsTheStreamBeforeItsNextEvent() async throws {
        try await UIDaemon.with { auth in
            #expect(try await auth.send("POST", "/apps", json: #"{"name":"shop"}"#).status == 201)
            let token = try await auth.createToken("laptop", scopes: ["read"])
            let browser = UIBrowser(baseURL: auth.daemon.baseURL)
            try await browser.signIn(token.secret)
            let response = try await Self.open(browser)
            #expect(response.status == .ok)
            #expect(try await auth.send("DELETE", "/tokens/\(token.id)").status == 204)
            #expect(try await auth.send("POST", "/apps/shop/ps/scale", json: #"{"web":2}"#).status == 200)
            // The scale's event is due within half a second; the stream must have ended instead.
            let received = try await Self.read(response)
            #expect(received.ended)
            #expect(!received.text.contains("shop"))
        }
    }

    /// A quiet stream (no change, its heartbeat 15 s away) ends as soon as its token is revoked,
    /// and as soon as its session signs out, like the API's log streams.
    @Test func revokingTheTokenOrSigningOutEndsAQuietStreamAtOnce() async throws {
        try await UIDaemon.with { auth in
            let token = try await auth.createToken("laptop", scopes: ["read"])
            let revoked = UIBrowser(baseURL: auth.daemon.baseURL)
            try await revoked.signIn(token.secret)
            let first = try await Self.open(revoked)
            #expect(first.status == .ok)
            #expect(try await auth.send("DELETE", "/tokens/\(token.id)").status == 204)
            #expect(try await Self.read(first, limit: .seconds(5)).ended)

            let leaving = UIBrowser(baseURL: auth.daemon.baseURL)
            try await leaving.signIn(auth.admin)
            let csrf = try #require(try await leaving.get("/ui/apps").csrf)
            let second = try await Self.open(leaving)
            #expect(second.status == .ok)
            #expect(try await leaving.post("/ui/logout", [("csrf", csrf)]).status == 303)
            #expect(try await Self.read(second, limit: .seconds(5)).ended)
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
