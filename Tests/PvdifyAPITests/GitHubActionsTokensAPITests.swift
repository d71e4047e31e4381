import Foundation
import Testing
@testable import PvdifyAPI

/// `POST /tokens/github-actions` at the API level: what is refused before any key is fetched.
@Suite struct GitHubActionsTokensAPITests {
    /// A verifier whose issuer cannot be reached, counting its fetches.
    static func unreachable(_ fetches: FetchCounter) -> GitHubOIDCVerifier {
        GitHubOIDCVerifier(issuer: "http://127.0.0.1:9", audience: "pvdify") { _ in
            fetches.add()
            throw CancellationError()
        }
    }

    final class FetchCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    static let wellFormed =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJyZXBvc2l0b3J5Ijoib3JnL2FwcCIsImF1ZCI6InB2ZGlmeSJ9.c2lnbmF0dXJl"

    @Test func refusalsBeforeAnyFetch() async throws {
        let fetches = FetchCounter()
        var settings = APISettings()
        settings.githubOIDC = Self.unreachable(fetches)
        let harness = try await APIHarness.make(settings)
        try await harness.run { api in
            let path = "/api/v1/tokens/github-actions"
            #expect(try await api.post(path, #"{}"#, auth: .none).status == .unprocessableContent)
            #expect(try await api.post(path, #"{"token":"x","scope":"admin"}"#, auth: .none).status == .unprocessableContent)
            for lifetime in ["0", "3601", #""2h""#, #""soon""#, "true"] {
                let reply = try await api.post(path, #"{"token":"\#(Self.wellFormed)","expires_in":\#(lifetime)}"#, auth: .none)
                #expect(reply.status == .unprocessableContent, "\(lifetime)")
            }
            for jwt in ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJhIjoxfQ.c2ln", "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"] {
                let reply = try await api.post(path, #"{"token":"\#(jwt)"}"#, auth: .none)
                #expect(reply.status == .unauthorized, "\(jwt)")
                #expect(reply.errorCode == "unauthorized")
            }
            #expect(fetches.count == 0)
            // A well-formed RS256 token with a key id: the issuer is asked, and is out of reach.
            let reply = try await api.post(path, #"{"token":"\#(Self.wellFormed)"}"#, auth: .none)
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.errorCode == "unavailable")
            #expect(fetches.count == 1)
        }
    }

    @Test func notConfiguredIs503() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let reply = try await api.post("/api/v1/tokens/github-actions", #"{"token":"\#(Self.wellFormed)"}"#, auth: .none)
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.errorCode == "unavailable")
        }
    }

    @Test func limitedPerClientAddress() async throws {
        let fetches = FetchCounter()
        var settings = APISettings(requestsPerMinute: 3)
        settings.githubOIDC = Self.unreachable(fetches)
        let harness = try await APIHarness.make(settings)
        try await harness.run { api in
            for _ in 1...3 {
                #expect(try await api.post("/api/v1/tokens/github-actions", #"{"token":"not-a-jwt"}"#, auth: .none).status == .unauthorized)
            }
            let limited = try await api.post("/api/v1/tokens/github-actions", #"{"token":"not-a-jwt"}"#, auth: .none)
            #expect(limited.status == .tooManyRequests)
        }
    }
}
