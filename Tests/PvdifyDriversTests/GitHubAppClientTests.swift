import CryptoExtras
import Foundation
import JWTKit
import Synchronization
import Testing
@testable import PvdifyDrivers

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// GitHub answering from a script: token calls get numbered tokens expiring `tokenLifetime`
/// after the clock; other calls get the next queued status (201 when none is queued).
final class ScriptedGitHub: GitHubSending {
    struct Sent: Equatable {
        var path: String
        var credential: String
    }

    let clock: ManualClock
    let tokenLifetime: TimeInterval
    private let state = Mutex<(sent: [Sent], statuses: [Int], tokens: Int)>(([], [], 0))

    init(clock: ManualClock, tokenLifetime: TimeInterval = 3600) {
        self.clock = clock
        self.tokenLifetime = tokenLifetime
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    var tokenCalls: Int { sent.filter { $0.path.hasSuffix("/access_tokens") }.count }
    func queue(_ statuses: Int...) { state.withLock { $0.statuses += statuses } }

    func send(_ request: GitHubRequest, credential: String) async throws -> GitHubAnswer {
        let expires = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(tokenLifetime))
        return state.withLock { state in
            state.sent.append(Sent(path: request.path, credential: credential))
            if request.path.hasSuffix("/access_tokens") {
                state.tokens += 1
                return GitHubAnswer(status: 201, body: Data(#"{"token":"ghs_\#(state.tokens)","expires_at":"\#(expires)"}"#.utf8))
            }
            let status = state.statuses.isEmpty ? 201 : state.statuses.removeFirst()
            return GitHubAnswer(status: status, body: Data(status < 400 ? #"{"id":55}"#.utf8 : #"{"message":"Bad credentials"}"#.utf8))
        }
    }
}

@Suite struct GitHubAppClientTests {
    static let privateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    let start = Date(timeIntervalSince1970: 1_900_000_000)
    let repository = GitHubRepository("org/app")!
    let deployment = GitHubDeploymentRequest(ref: "abc1234", environment: "pr-1", description: "d")

    func client(_ github: ScriptedGitHub, clock: ManualClock) async throws -> GitHubAppClient {
        GitHubAppClient(
            transport: github, key: try await GitHubAppKey(appID: 4242, pem: Self.privateKey.pemRepresentation), now: { clock.now })
    }

    @Test func appJWTIsRS256WithTheAppAsIssuerAndNineMinutes() async throws {
        let key = try await GitHubAppKey(appID: 4242, pem: Self.privateKey.pemRepresentation)
        let now = Date(timeIntervalSince1970: 1_900_000_000.7)
        let jwt = try await key.jwt(now: now)
        let verifier = JWTKeyCollection()
        await verifier.add(rsa: try Insecure.RSA.PublicKey(pem: Self.privateKey.publicKey.pemRepresentation), digestAlgorithm: .sha256)
        let claims = try await verifier.verify(jwt, as: GitHubAppClaims.self)
        #expect(claims.iss.value == "4242")
        #expect(claims.iat.value == Date(timeIntervalSince1970: 1_900_000_000 - 60))
        #expect(claims.exp.value == Date(timeIntervalSince1970: 1_900_000_000 + 540))
        let header = try #require(Data(base64Encoded: String(jwt.split(separator: ".")[0]).paddedBase64()))
        #expect(String(decoding: header, as: UTF8.self).contains(#""alg":"RS256""#))
        // Another key's signature does not verify.
        let other = JWTKeyCollection()
        await other.add(rsa: try Insecure.RSA.PublicKey(pem: try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation), digestAlgorithm: .sha256)
        await #expect(throws: (any Error).self) { _ = try await other.verify(jwt, as: GitHubAppClaims.self) }
    }

    @Test func onlyRSAPrivateKeysAreTaken() async throws {
        #expect(throws: GitHubAppKey.Invalid.self) { try GitHubAppKey.check(pem: "not a key") }
        #expect(throws: GitHubAppKey.Invalid.self) { try GitHubAppKey.check(pem: Self.privateKey.publicKey.pemRepresentation) }
        try GitHubAppKey.check(pem: Self.privateKey.pemRepresentation)
    }

    @Test func tokenIsFetchedOnceForSeveralCallsAndRefreshedNearItsExpiry() async throws {
        let clock = ManualClock(start)
        let github = ScriptedGitHub(clock: clock)
        let client = try await client(github, clock: clock)
        #expect(try await client.createDeployment(repository, installation: 7, deployment) == 55)
        try await client.createStatus(repository, installation: 7, deployment: 55, .init(state: .inProgress, description: "d"))
        #expect(github.tokenCalls == 1)
        #expect(github.sent.filter { !$0.path.hasSuffix("/access_tokens") }.map(\.credential) == ["ghs_1", "ghs_1"])
        // The token call went as the App: a JWT, not a token.
        #expect(github.sent[0].path == "/app/installations/7/access_tokens" && github.sent[0].credential.split(separator: ".").count == 3)

        // 54 minutes on, the 60-minute token is within the 5-minute margin... not yet: 6 minutes left.
        clock.advance(54 * 60)
        _ = try await client.createDeployment(repository, installation: 7, deployment)
        #expect(github.tokenCalls == 1)
        clock.advance(60 + 1)
        _ = try await client.createDeployment(repository, installation: 7, deployment)
        #expect(github.tokenCalls == 2 && github.sent.last?.credential == "ghs_2")
        // Another installation has its own token.
        _ = try await client.createDeployment(repository, installation: 8, deployment)
        #expect(github.tokenCalls == 3)
    }

    @Test func aRefusedTokenIsDroppedAndTheCallSentOnceMore() async throws {
        let clock = ManualClock(start)
        let github = ScriptedGitHub(clock: clock)
        let client = try await client(github, clock: clock)
        _ = try await client.createDeployment(repository, installation: 7, deployment)
        github.queue(401)
        #expect(try await client.createDeployment(repository, installation: 7, deployment) == 55)
        #expect(github.tokenCalls == 2 && github.sent.last?.credential == "ghs_2")

        // Refused twice in a row: the error comes out, with GitHub's message.
        github.queue(401, 401)
        await #expect(throws: GitHubError(status: 401, message: "Bad credentials", call: "POST /repos/org/app/deployments")) {
            _ = try await client.createDeployment(repository, installation: 7, deployment)
        }
        github.queue(500)
        let error = await #expect(throws: GitHubError.self) {
            try await client.createStatus(repository, installation: 7, deployment: 55, .init(state: .success, description: "d"))
        }
        #expect(error?.status == 500)
    }

    @Test func cacheKeepsATokenUntilTheMarginAndForgetsADroppedOne() async throws {
        let clock = ManualClock(start)
        let cache = GitHubTokenCache(margin: 300, now: { clock.now })
        let fetches = Mutex(0)
        @Sendable func fetch() async throws -> GitHubInstallationToken {
            let n = fetches.withLock { $0 += 1; return $0 }
            return GitHubInstallationToken(token: "t\(n)", expiresAt: clock.now.addingTimeInterval(600))
        }
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t1")
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t1")
        clock.advance(299)
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t1")
        clock.advance(2)
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t2")
        await cache.drop("t1", of: 1)
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t2")
        await cache.drop("t2", of: 1)
        #expect(try await cache.token(for: 1, fetch: fetch).token == "t3")
    }
}

extension String {
    /// Base64url to padded base64.
    func paddedBase64() -> String {
        var text = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }
}
