import Crypto
import Foundation

/// The private half of an age X25519 key pair, written `AGE-SECRET-KEY-1...`: what opens a sealed
/// value. Its description shows only the recipient, so logging an identity never leaks it.
public struct AgeIdentity: Sendable, CustomStringConvertible {
    static let hrp = "AGE-SECRET-KEY-"

    /// The X25519 private key.
    public let privateKey: Curve25519.KeyAgreement.PrivateKey

    /// Wraps an X25519 private key.
    public init(privateKey: Curve25519.KeyAgreement.PrivateKey) {
        self.privateKey = privateKey
    }

    /// A new identity from the system's secure random generator.
    public static func generate() -> AgeIdentity {
        AgeIdentity(privateKey: Curve25519.KeyAgreement.PrivateKey())
    }

    /// Parses an `AGE-SECRET-KEY-1...` string; surrounding whitespace is not accepted.
    public init(_ text: String) throws(AgeError) {
        let (hrp, bytes) = try Bech32.decode(text)
        guard hrp.uppercased() == Self.hrp, bytes.count == 32,
              let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
        else { throw .wrongKeyType }
        self.privateKey = key
    }

    /// Parses an identity file as `age-keygen` writes it: `#` comment lines, blank lines and
    /// one identity per line.
    public static func identities(inFile contents: String) throws(AgeError) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        // Splitting on newline characters takes "\r\n" (one Character in Swift) and "\n" alike.
        for line in contents.split(whereSeparator: \.isNewline) {
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let identity = try? AgeIdentity(String(line)) else { throw .malformedIdentityFile }
            identities.append(identity)
        }
        guard !identities.isEmpty else { throw .malformedIdentityFile }
        return identities
    }

    /// The `AGE-SECRET-KEY-1...` form, uppercase. A secret: never log it.
    public var secretKeyString: String { Bech32.encode(hrp: Self.hrp, bytes: [UInt8](privateKey.rawRepresentation)) }

    /// An identity file in `age-keygen`'s layout: a creation comment, the public key, the secret key.
    public func identityFile(created: Date = Date()) -> String {
        let timestamp = ISO8601DateFormatter().string(from: created)
        return "# created: \(timestamp)\n# public key: \(recipient)\n\(secretKeyString)\n"
    }

    /// The recipient that values for this identity are sealed to.
    public var recipient: AgeRecipient { AgeRecipient(publicKey: privateKey.publicKey) }

    /// Shows the recipient only.
    public var description: String { "AgeIdentity(\(recipient))" }
}
