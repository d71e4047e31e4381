import Testing
@testable import PvdifySealing

@Suite("Bech32 and age keys")
struct Bech32Tests {
    /// The X25519 example from the age specification.
    static let specIdentity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
    static let specRecipient = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

    @Test("The specification's identity gives its recipient, and both re-encode to the same text")
    func specificationVector() throws {
        let identity = try AgeIdentity(Self.specIdentity)
        #expect(identity.recipient.encoded == Self.specRecipient)
        #expect(identity.secretKeyString == Self.specIdentity)
        #expect(try AgeRecipient(Self.specRecipient).encoded == Self.specRecipient)
        // The example identity is 32 bytes of 0x42.
        #expect([UInt8](identity.privateKey.rawRepresentation) == [UInt8](repeating: 0x42, count: 32))
    }

    @Test("BIP 173 valid strings decode, and encoding gives them back", arguments: [
        "A12UEL5L",
        "a12uel5l",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ])
    func validStrings(_ text: String) throws {
        let (hrp, bytes) = try Bech32.decode(text)
        #expect(Bech32.encode(hrp: hrp, bytes: bytes) == text)
    }

    @Test("BIP 173 invalid strings, mixed case and bad padding are refused", arguments: [
        "pzry9x0s0muk",  // no separator
        "1pzry9x0s0muk",  // empty human-readable part
        "x1b4n0q5v",  // 'b' is not in the alphabet
        "li1dgmt3",  // checksum too short
        "A1G7SGD8",  // checksum made over the uppercase human-readable part
        "a12UEL5L",  // mixed case
        "de1lg7wt\u{7f}",  // a character outside 33...126
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx",  // one character of the checksum changed
    ])
    func invalidStrings(_ text: String) {
        #expect(throws: AgeError.malformedKey) { try Bech32.decode(text) }
    }

    @Test("Bytes round-trip through bech32 for every length up to 40")
    func roundTrip() throws {
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Bech32.encode(hrp: "test", bytes: bytes)
            let decoded = try Bech32.decode(text)
            #expect(decoded.hrp == "test")
            #expect(decoded.bytes == bytes)
        }
    }

    @Test("A generated identity encodes uppercase, its recipient lowercase, and both parse back")
    func generatedKeys() throws {
        let identity = AgeIdentity.generate()
        let secret = identity.secretKeyString
        #expect(secret.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(secret == secret.uppercased())
        let recipient = identity.recipient.encoded
        #expect(recipient.hasPrefix("age1"))
        #expect(recipient == recipient.lowercased())
        #expect(try AgeIdentity(secret).recipient == identity.recipient)
        #expect(try AgeRecipient(recipient) == identity.recipient)
        #expect(!String(describing: identity).contains(secret))
    }

    @Test("A key of the other kind, a mixed-case key or a key with whitespace is refused")
    func wrongKinds() {
        #expect(throws: AgeError.wrongKeyType) { try AgeRecipient(Self.specIdentity) }
        #expect(throws: AgeError.wrongKeyType) { try AgeIdentity(Self.specRecipient) }
        let mixed = "A" + Self.specRecipient.dropFirst()
        #expect(throws: AgeError.malformedKey) { try AgeRecipient(mixed) }
        #expect(throws: AgeError.malformedKey) { try AgeRecipient(Self.specRecipient + " ") }
        // A valid bech32 string under "age" whose payload is not 32 bytes.
        #expect(throws: AgeError.wrongKeyType) { try AgeRecipient(Bech32.encode(hrp: "age", bytes: [1, 2, 3])) }
    }

    @Test("An identity file in age-keygen's layout parses; one with a stray line does not")
    func identityFile() throws {
        let identity = AgeIdentity.generate()
        let parsed = try AgeIdentity.identities(inFile: identity.identityFile())
        #expect(parsed.map(\.recipient) == [identity.recipient])
        let crlf = "# comment\r\n\r\n\(identity.secretKeyString)\r\n"
        #expect(try AgeIdentity.identities(inFile: crlf).map(\.recipient) == [identity.recipient])
        #expect(throws: AgeError.malformedIdentityFile) {
            try AgeIdentity.identities(inFile: "# only a comment\n")
        }
        #expect(throws: AgeError.malformedIdentityFile) {
            try AgeIdentity.identities(inFile: identity.identityFile() + "not a key\n")
        }
    }
}
