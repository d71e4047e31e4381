import Crypto
import Foundation
import HTTPTypes

/// What a webhook delivery offers as proof that it was made with the source's webhook secret:
/// GitHub's `X-Hub-Signature-256` (an HMAC-SHA256 of the raw body) or GitLab's `X-Gitlab-Token`
/// (the secret itself). Both are checked in constant time.
enum WebhookProof: Sendable, Equatable {
    /// The 32 bytes of `X-Hub-Signature-256: sha256=<hex>`.
    case githubSignature([UInt8])
    /// The value of `X-Gitlab-Token`.
    case gitlabToken(String)

    /// Why a delivery carries no usable proof; the same whatever the source, so it tells nothing about it.
    enum Missing: Error, Equatable {
        /// Neither header, or `X-Hub-Signature-256` malformed.
        case none
        /// Only GitHub's legacy `X-Hub-Signature` (HMAC-SHA1), which is not accepted.
        case sha1Only
    }

    /// The proof in a request's headers. `X-Hub-Signature-256` wins over `X-Gitlab-Token`.
    static func read(_ headers: HTTPFields) -> Result<WebhookProof, Missing> {
        if let signature = headers[.hubSignature256] {
            guard let mac = githubMAC(signature) else { return .failure(.none) }
            return .success(.githubSignature(mac))
        }
        if let token = headers[.gitlabToken], !token.isEmpty { return .success(.gitlabToken(token)) }
        return .failure(headers[.hubSignature] == nil ? .none : .sha1Only)
    }

    /// The proof in a request's headers, or the 401 for a delivery without one: `missing` says
    /// which header the endpoint expects; a legacy HMAC-SHA1 signature alone is refused by name.
    static func required(_ headers: HTTPFields, missing: String) throws -> WebhookProof {
        switch read(headers) {
        case .success(let proof): return proof
        case .failure(.sha1Only):
            throw APIError.unauthorized("X-Hub-Signature (HMAC-SHA1) is not accepted: the webhook must send X-Hub-Signature-256")
        case .failure(.none): throw APIError.unauthorized(missing)
        }
    }

    /// `sha256=` and 64 hex digits, as bytes; nil for anything else.
    static func githubMAC(_ header: String) -> [UInt8]? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("sha256="), text.utf8.count == 7 + 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for character in text.utf8.dropFirst(7) {
            guard let nibble = hexValue(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether the proof was made with `secret` over `body`. With no secret (an unknown source, or
    /// one without a webhook secret) the same work is done against a throwaway key and the answer
    /// is false, so neither the answer nor its time tells such a source apart.
    func verifies(_ body: Data, secret: String?) -> Bool {
        let key = secret.map { SymmetricKey(data: Data($0.utf8)) } ?? Self.throwawayKey
        let valid: Bool
        switch self {
        case .githubSignature(let mac):
            valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
        case .gitlabToken(let token):
            // Both sides hashed first: the comparison takes the same time whatever their lengths,
            // and digests compare in constant time.
            let expected = secret.map { SHA256.hash(data: Data($0.utf8)) } ?? SHA256.hash(data: Data())
            valid = SHA256.hash(data: Data(token.utf8)) == expected
        }
        return valid && secret != nil
    }

    static let throwawayKey = SymmetricKey(size: .bits256)
}

extension HTTPField.Name {
    static let hubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
    static let hubSignature = HTTPField.Name("X-Hub-Signature")!
    static let gitlabToken = HTTPField.Name("X-Gitlab-Token")!
    static let githubEvent = HTTPField.Name("X-GitHub-Event")!
    static let githubDelivery = HTTPField.Name("X-GitHub-Delivery")!
    static let gitlabEvent = HTTPField.Name("X-Gitlab-Event")!
    static let gitlabWebhookUUID = HTTPField.Name("X-Gitlab-Webhook-UUID")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
