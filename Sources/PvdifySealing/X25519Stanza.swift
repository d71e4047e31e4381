import Crypto
import Foundation

/// The X25519 recipient type: the file key wrapped with a key agreed between a fresh ephemeral
/// key and the recipient.
enum X25519Stanza {
    static let type = "X25519"
    private static let info = Array("age-encryption.org/v1/X25519".utf8)
    private static let zeroNonce = [UInt8](repeating: 0, count: 12)

    /// A stanza that wraps `fileKey` for `recipient`, with a new ephemeral key.
    static func wrap(fileKey: [UInt8], to recipient: AgeRecipient) throws -> AgeStanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = [UInt8](ephemeral.publicKey.rawRepresentation)
        let secret = try ephemeral.sharedSecretFromKeyAgreement(with: recipient.publicKey)
        let key = wrapKey(secret: secret.withUnsafeBytes { [UInt8]($0) }, share: share, recipient: recipient)
        let box = try ChaChaPoly.seal(fileKey, using: key, nonce: ChaChaPoly.Nonce(data: zeroNonce))
        return AgeStanza(arguments: [type, AgeBase64.encodeUnpadded(share)], body: [UInt8](box.ciphertext + box.tag))
    }

    /// The file key if `stanza` was made for `identity`; nil when it is another type or for
    /// another key. A malformed X25519 stanza is an error, not a miss.
    static func unwrap(_ stanza: AgeStanza, with identity: AgeIdentity) throws(AgeError) -> [UInt8]? {
        guard stanza.type == type else { return nil }
        guard stanza.arguments.count == 2,
              let share = AgeBase64.decodeUnpadded(stanza.arguments[1][...]), share.count == 32,
              stanza.body.count == AgeFileKey.length + 16,
              let sharePoint = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share)
        else { throw .malformedStanza }
        // The agreement fails (or yields zeros) for low-order shares; either way age must abort.
        guard let agreed = try? identity.privateKey.sharedSecretFromKeyAgreement(with: sharePoint) else {
            throw .zeroSharedSecret
        }
        let secret = agreed.withUnsafeBytes { [UInt8]($0) }
        guard secret.contains(where: { $0 != 0 }) else { throw .zeroSharedSecret }
        let key = wrapKey(secret: secret, share: share, recipient: identity.recipient)
        guard let nonce = try? ChaChaPoly.Nonce(data: zeroNonce),
              let box = try? ChaChaPoly.SealedBox(
                  nonce: nonce, ciphertext: stanza.body.prefix(AgeFileKey.length), tag: stanza.body.suffix(16)),
              let fileKey = try? ChaChaPoly.open(box, using: key)
        else { return nil }
        return [UInt8](fileKey)
    }

    private static func wrapKey(secret: [UInt8], share: [UInt8], recipient: AgeRecipient) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret),
            salt: share + [UInt8](recipient.publicKey.rawRepresentation),
            info: info,
            outputByteCount: 32)
    }
}
