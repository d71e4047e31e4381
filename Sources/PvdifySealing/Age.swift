/// Encrypts and decrypts files in the age v1 format (age-encryption.org/v1) for X25519
/// recipients, binary or ASCII-armored, interoperable with the `age` command.
public enum Age {
    /// The default bound on an input to decrypt: sealed values are small.
    public static let defaultSizeLimit = 1 << 20

    /// Encrypts `plaintext` to every recipient; armored output is ASCII text.
    public static func encrypt(
        _ plaintext: some Collection<UInt8>, to recipients: [AgeRecipient], armored: Bool = false
    ) throws -> [UInt8] {
        guard !recipients.isEmpty else { throw AgeError.noRecipients }
        let fileKey = AgeFileKey.generate()
        let stanzas = try recipients.map { try X25519Stanza.wrap(fileKey: fileKey, to: $0) }
        let file = AgeHeader.encode(stanzas: stanzas, fileKey: fileKey)
            + (try AgeStream.seal(Array(plaintext), fileKey: fileKey))
        return armored ? AgeArmor.encode(file) : file
    }

    /// Decrypts a binary or armored age file with the first identity that opens one of its stanzas.
    /// Inputs longer than `sizeLimit` bytes are refused before they are read.
    public static func decrypt(
        _ input: some Collection<UInt8>, with identities: [AgeIdentity], sizeLimit: Int = defaultSizeLimit
    ) throws(AgeError) -> [UInt8] {
        guard input.count <= sizeLimit else { throw .inputTooLarge(limit: sizeLimit) }
        var file = Array(input)
        if AgeArmor.isArmored(file) { file = try AgeArmor.decode(file) }
        let (header, payloadStart) = try AgeHeader.parse(file)
        let fileKey = try unwrapFileKey(header, identities: identities)
        guard header.isAuthentic(fileKey: fileKey) else { throw .headerMACMismatch }
        return try AgeStream.open(file[payloadStart...], fileKey: fileKey)
    }

    /// Decrypts with one identity.
    public static func decrypt(
        _ input: some Collection<UInt8>, with identity: AgeIdentity, sizeLimit: Int = defaultSizeLimit
    ) throws(AgeError) -> [UInt8] {
        try decrypt(input, with: [identity], sizeLimit: sizeLimit)
    }

    private static func unwrapFileKey(_ header: AgeHeader, identities: [AgeIdentity]) throws(AgeError) -> [UInt8] {
        // A passphrase (scrypt) stanza must stand alone; a file that mixes it with others is forged.
        if header.stanzas.count > 1, header.stanzas.contains(where: { $0.type == "scrypt" }) {
            throw .malformedHeader
        }
        for identity in identities {
            for stanza in header.stanzas {
                if let fileKey = try X25519Stanza.unwrap(stanza, with: identity) { return fileKey }
            }
        }
        throw .noMatchingIdentity
    }
}
