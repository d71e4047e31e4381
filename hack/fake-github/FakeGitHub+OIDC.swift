import CryptoExtras
import Foundation
import JWTKit

/// The GitHub Actions OIDC issuer: `/.well-known/openid-configuration` and the JWKS it names,
/// with the issuer being the stand-in's own base URL.
extension FakeGitHub {
    func oidcEndpoint(_ call: Call) -> Reply? {
        switch (call.method, call.path) {
        case ("GET", "/.well-known/openid-configuration"):
            return .json([
                "issuer": call.baseURL, "jwks_uri": call.baseURL + "/.well-known/jwks",
                "subject_types_supported": ["public", "pairwise"], "response_types_supported": ["id_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "environment", "run_id", "run_attempt"],
            ])
        case ("GET", "/.well-known/jwks"):
            return .json(["keys": [oidc.current.jwk]])
        default:
            return nil
        }
    }

    /// Signs a token with the given claims over GitHub-like defaults (`iss` this issuer, `aud`
    /// pvdify, valid for 5 minutes from now); a claim given as `null` is left out. `signer`:
    /// `current` (default), `foreign` (a key the JWKS does not have, under the current kid), or
    /// `kid` set to name a key id of its own.
    func mint(claims given: [String: Any], baseURL: String, signer: String, kid: String?) async throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": baseURL, "aud": "pvdify", "iat": now, "nbf": now, "exp": now + 300,
            "repository": "octo-org/octo-repo", "ref": "refs/heads/main", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
            "run_id": "1001", "run_attempt": "1", "jti": UUID().uuidString,
        ]
        for (key, value) in given { claims[key] = value is NSNull ? nil : value }
        let key = signer == "foreign" ? try OIDCKeys.Key(id: oidc.current.id) : oidc.current
        let keys = JWTKeyCollection()
        await keys.add(rsa: key.privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
        return try await keys.sign(AnyClaims(claims), kid: JWKIdentifier(string: kid ?? key.id))
    }
}

/// The issuer's keys: the current one, which `rotate` replaces (the old one leaves the JWKS).
struct OIDCKeys: Sendable {
    struct Key: Sendable {
        let id: String
        let privateKey: JWTKit.Insecure.RSA.PrivateKey

        init(id: String = "key-" + UUID().uuidString.prefix(8).lowercased()) throws {
            self.id = id
            privateKey = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        }

        /// The public half as a JWK, as GitHub publishes it.
        var jwk: [String: String] {
            let (modulus, exponent) = (try? privateKey.publicKey.getKeyPrimitives()) ?? (Data(), Data())
            return ["kty": "RSA", "alg": "RS256", "use": "sig", "kid": id, "n": Self.base64URL(modulus), "e": Self.base64URL(exponent)]
        }

        static func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
    }

    var current: Key

    init() throws { current = try Key() }

    mutating func rotate() throws { current = try Key() }
}

/// Any JSON object as a JWT payload (the stand-in signs whatever claims a test asks for).
struct AnyClaims: JWTPayload, @unchecked Sendable {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    init(from decoder: any Decoder) throws { object = [:] }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(AnyJSON(object))
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A JSON value from `JSONSerialization`, encodable.
struct AnyJSON: Encodable {
    let value: Any

    init(_ value: Any) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch value {
        case let int as Int: try single.encode(int)
        case let double as Double: try single.encode(double)
        case let bool as Bool: try single.encode(bool)
        case let string as String: try single.encode(string)
        case let array as [Any]: try single.encode(array.map(AnyJSON.init))
        case let object as [String: Any]: try single.encode(object.mapValues(AnyJSON.init))
        default: try single.encodeNil()
        }
    }
}
