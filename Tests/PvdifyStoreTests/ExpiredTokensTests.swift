import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

@Suite struct ExpiredTokensTests {
    @Test(arguments: StoreBackend.available) func onlyLongExpiredTokensWithThePrefixGo(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let past = Date().addingTimeInterval(-3 * 86_400)
            _ = try await store.createToken(name: "github-actions@org/a#run-1-aa", scopes: [.deploy], apps: ["a"], expiresAt: past)
            let (live, secret) = try await store.createToken(
                name: "github-actions@org/a#run-2-bb", scopes: [.deploy], apps: ["a"], expiresAt: Date().addingTimeInterval(600))
            _ = try await store.createToken(name: "person-expired", scopes: [.read], apps: nil, expiresAt: past)
            // '_' and '%' in the prefix are literal, not patterns.
            _ = try await store.createToken(name: "githubXactions@org/a#run-3-cc", scopes: [.deploy], apps: ["a"], expiresAt: past)
            let deleted = try await store.deleteExpiredTokens(namePrefix: "github-actions@", expiredBefore: Date().addingTimeInterval(-86_400))
            #expect(deleted == 1)
            #expect(Set(try await store.tokens().map(\.name)) == ["github-actions@org/a#run-2-bb", "person-expired", "githubXactions@org/a#run-3-cc"])
            #expect(try await store.authenticate(secret: secret)?.id == live.id)
            #expect(try await store.deleteExpiredTokens(namePrefix: "github_actions@", expiredBefore: Date()) == 0)
        }
    }
}
