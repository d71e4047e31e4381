import Foundation
import PvdifyModel
import PvdifySealing

/// The server's sealing key pair: an age X25519 identity. Its public half (the recipient,
/// `age1...`) is what users seal secret values to, with `pvdify secrets:seal` or `age -r`; its
/// private half opens them during an apply or a source sync, and is stored encrypted with the
/// `SecretBox` key, like app secrets. Its description shows the recipient only.
///
/// After a rotation the key pairs it replaced are kept, retired: values sealed to them still open,
/// and new values are sealed to the current one, until the retired pairs are forgotten.
public struct SealingKey: Sendable, CustomStringConvertible {
    let identity: AgeIdentity
    /// When the key pair was made.
    public let createdAt: Date
    /// The key pairs rotations replaced, newest first.
    public let retired: [Retired]

    /// A key pair a rotation replaced: it still opens what was sealed to it.
    public struct Retired: Sendable {
        let identity: AgeIdentity
        public let createdAt: Date
        public let retiredAt: Date
        public var recipient: String { identity.recipient.encoded }
    }

    init(identity: AgeIdentity, createdAt: Date, retired: [Retired] = []) {
        self.identity = identity
        self.createdAt = createdAt
        self.retired = retired
    }

    /// The `age1...` recipient values are sealed to.
    public var recipient: String { identity.recipient.encoded }

    /// Shows the recipient only.
    public var description: String { "SealingKey(\(recipient))" }

    /// Opens every sealed secret of `manifest`, filling in its value. A value that does not open,
    /// or that opens to something no config value may be, is a validation error naming
    /// `spec.sealed_secrets.KEY`; the message never holds the ciphertext or the value.
    public func open(_ manifest: AppManifest) throws(ValidationError) -> AppManifest {
        var opened = manifest
        for key in manifest.sealedSecrets.keys.sorted() {
            guard var sealed = manifest.sealedSecrets[key] else { continue }
            sealed.value = try open(sealed.ciphertext, field: "spec.sealed_secrets.\(key)")
            opened.sealedSecrets[key] = sealed
        }
        return opened
    }

    func open(_ ciphertext: String, field: String) throws(ValidationError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try Age.decrypt(
                Array(ciphertext.utf8), with: [identity] + retired.map(\.identity), sizeLimit: SealedSecret.maxCiphertextBytes)
        } catch .noMatchingIdentity {
            throw ValidationError(
                field: field,
                message: "does not open with this server's sealing key: it was sealed to another recipient "
                    + "(seal it to \(recipient), from GET /api/v1/sealing-key)")
        } catch {
            throw ValidationError(
                field: field, message: "does not open with this server's sealing key: \(Self.reason(error)); seal the value again")
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw ValidationError(field: field, message: "opens to bytes that are not UTF-8 text")
        }
        if let problem = Rules.configValue(value) { throw ValidationError(field: field, message: "opens to a value that is not allowed: \(problem)") }
        return value
    }

    /// A reason that says what is wrong with the file, never what it holds.
    static func reason(_ error: AgeError) -> String {
        switch error {
        case .malformedArmor, .trailingData: "the armor is damaged"
        case .malformedHeader, .unsupportedVersion, .malformedStanza, .zeroSharedSecret: "the age header is damaged"
        case .headerMACMismatch: "the age header was changed after sealing"
        case .truncatedPayload, .emptyFinalChunk: "the ciphertext is cut short"
        case .payloadAuthenticationFailed: "the ciphertext was changed after sealing"
        case .inputTooLarge: "it is too large"
        case .noRecipients, .malformedKey, .wrongKeyType, .malformedIdentityFile, .noMatchingIdentity:
            "it is not a file sealed to this server"
        }
    }
}
