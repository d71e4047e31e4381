import Crypto

/// The public half of an age X25519 key pair, written `age1...`: what a value is sealed to.
public struct AgeRecipient: Sendable, Hashable, CustomStringConvertible {
    static let hrp = "age"

    /// The X25519 public key.
    public let publicKey: Curve25519.KeyAgreement.PublicKey

    /// Wraps an X25519 public key.
    public init(publicKey: Curve25519.KeyAgreement.PublicKey) {
        self.publicKey = publicKey
    }

    /// Parses an `age1...` recipient; surrounding whitespace is not accepted.
    public init(_ text: String) throws(AgeError) {
        let (hrp, bytes) = try Bech32.decode(text)
        guard hrp.lowercased() == Self.hrp, bytes.count == 32,
              let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        else { throw .wrongKeyType }
        self.publicKey = key
    }

    /// The `age1...` form, lowercase.
    public var encoded: String { Bech32.encode(hrp: Self.hrp, bytes: [UInt8](publicKey.rawRepresentation)) }

    /// The `age1...` form.
    public var description: String { encoded }

    /// Recipients are equal when their public keys are.
    public static func == (left: AgeRecipient, right: AgeRecipient) -> Bool {
        left.publicKey.rawRepresentation == right.publicKey.rawRepresentation
    }

    /// Hashes the public key bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(publicKey.rawRepresentation)
    }
}
