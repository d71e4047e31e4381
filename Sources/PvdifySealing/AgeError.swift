/// Why an age key, recipient or file was refused. Every malformed input ends in one of these; none
/// of them carries key material, so they are safe to log.
public enum AgeError: Error, Equatable, Sendable {
    /// Encryption was asked for with no recipient at all.
    case noRecipients
    /// The input is larger than the limit the caller set (sealed values are small).
    case inputTooLarge(limit: Int)
    /// A key string is not valid bech32: bad characters, mixed case, bad checksum or padding.
    case malformedKey
    /// A key string is valid bech32 but of another kind (its prefix is not the expected one),
    /// or its length is not 32 bytes.
    case wrongKeyType
    /// An identity file holds no identity, or a line that is neither a comment nor an identity.
    case malformedIdentityFile
    /// ASCII armor that is not strict PEM: bad begin or end line, line lengths, or base64.
    case malformedArmor
    /// Bytes after the end of the encrypted file (after the armor, or after the final chunk).
    case trailingData
    /// The header does not follow the age v1 grammar (lines, stanzas, base64, the MAC line).
    case malformedHeader
    /// The header's version line names a version other than v1.
    case unsupportedVersion
    /// An X25519 stanza with the wrong number of arguments, a bad share or a body that is not
    /// 32 bytes.
    case malformedStanza
    /// The X25519 shared secret is all zeros (a low-order ephemeral share).
    case zeroSharedSecret
    /// None of the given identities can open any stanza of the file.
    case noMatchingIdentity
    /// The header MAC does not match: the header was changed after it was written.
    case headerMACMismatch
    /// The payload ends before its final chunk (cut off, or shorter than nonce and tag).
    case truncatedPayload
    /// The final chunk is empty although earlier chunks exist.
    case emptyFinalChunk
    /// A payload chunk fails authentication: the payload was changed.
    case payloadAuthenticationFailed
}
