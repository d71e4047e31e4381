import Foundation
import JWTKit

/// The GitHub App's identity: its id and RSA private key, which sign the App's JWTs (RS256).
public struct GitHubAppKey: Sendable {
    /// The App's id (the JWT's `iss`).
    public let appID: Int64
    let keys: JWTKeyCollection

    /// The key's PEM is not an RSA private key jwt-kit takes (2048 bits at least).
    public struct Invalid: Error, CustomStringConvertible {
        /// Why, without the key.
        public let description: String
    }

    /// Reads the PEM (PKCS#1 `RSA PRIVATE KEY` as GitHub hands it out, or PKCS#8 `PRIVATE KEY`).
    public init(appID: Int64, pem: String) async throws {
        let key: Insecure.RSA.PrivateKey
        do {
            key = try Insecure.RSA.PrivateKey(pem: pem)
        } catch {
            throw Invalid(description: "not an RSA private key of at least 2048 bits in PEM form")
        }
        self.appID = appID
        keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
    }

    /// Checks that `pem` is an RSA private key, without keeping it.
    public static func check(pem: String) throws {
        do {
            _ = try Insecure.RSA.PrivateKey(pem: pem)
        } catch {
            throw Invalid(description: "not an RSA private key of at least 2048 bits in PEM form")
        }
    }

    /// The App JWT at `now`: issued a minute before (GitHub's advice against clock drift),
    /// expiring 9 minutes after (GitHub takes 10 at most).
    public func jwt(now: Date) async throws -> String {
        try await keys.sign(GitHubAppClaims(appID: appID, now: now))
    }
}

/// The claims of a GitHub App JWT.
public struct GitHubAppClaims: JWTPayload, Equatable {
    /// The App's id, as a string.
    public var iss: IssuerClaim
    /// `now - 60 s`, whole seconds.
    public var iat: IssuedAtClaim
    /// `now + 9 min`, whole seconds.
    public var exp: ExpirationClaim

    /// The claims at `now`.
    public init(appID: Int64, now: Date) {
        let seconds = now.timeIntervalSince1970.rounded(.down)
        iss = IssuerClaim(value: String(appID))
        iat = IssuedAtClaim(value: Date(timeIntervalSince1970: seconds - 60))
        exp = ExpirationClaim(value: Date(timeIntervalSince1970: seconds + 540))
    }

    /// Only GitHub verifies these claims.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
