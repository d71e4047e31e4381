import Testing
@testable import PvdifySealing

@Suite("age encryption round trips")
struct AgeRoundTripTests {
    static let chunk = AgeStream.chunkLength

    @Test("Binary and armored files open to the same plaintext", arguments: [
        0, 1, 15, 16, 17, 1000, chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk + 5,
    ])
    func roundTrip(length: Int) throws {
        let identity = AgeIdentity.generate()
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for armored in [false, true] {
            let file = try Age.encrypt(plaintext, to: [identity.recipient], armored: armored)
            #expect(try Age.decrypt(file, with: identity) == plaintext)
        }
    }

    @Test("A binary file is the header, a 16-byte nonce and one sealed chunk per 64 KiB")
    func binaryLayout() throws {
        let identity = AgeIdentity.generate()
        let plaintext = [UInt8](repeating: 9, count: Self.chunk + 10)
        let file = try Age.encrypt(plaintext, to: [identity.recipient])
        let (header, payloadStart) = try AgeHeader.parse(file)
        #expect(String(decoding: file.prefix(22), as: UTF8.self) == "age-encryption.org/v1\n")
        #expect(header.stanzas.count == 1)
        #expect(header.stanzas[0].type == "X25519")
        #expect(header.stanzas[0].body.count == 32)
        #expect(file.count - payloadStart == 16 + (Self.chunk + 16) + (10 + 16))
    }

    @Test("Armor is strict PEM: begin line, base64 lines of 64 columns, end line")
    func armorLayout() throws {
        let identity = AgeIdentity.generate()
        let file = try Age.encrypt(Array("a sealed value".utf8), to: [identity.recipient], armored: true)
        let lines = String(decoding: file, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "-----BEGIN AGE ENCRYPTED FILE-----")
        #expect(lines.dropLast().last == "-----END AGE ENCRYPTED FILE-----")
        #expect(lines.last == "")
        let body = lines.dropFirst().dropLast(2)
        #expect(body.dropLast().allSatisfy { $0.count == 64 })
        #expect((1...64).contains(body.last?.count ?? 0))
    }

    @Test("Every recipient of a file can open it; an identity that is not a recipient cannot")
    func severalRecipients() throws {
        let identities = (0..<3).map { _ in AgeIdentity.generate() }
        let plaintext = Array("shared".utf8)
        let file = try Age.encrypt(plaintext, to: identities.map(\.recipient), armored: true)
        for identity in identities {
            #expect(try Age.decrypt(file, with: identity) == plaintext)
        }
        #expect(try Age.decrypt(file, with: [AgeIdentity.generate(), identities[2]]) == plaintext)
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: AgeIdentity.generate()) }
    }

    @Test("Stanza bodies of 48 bytes end with an empty line and still parse")
    func fullLineStanza() throws {
        let stanza = AgeStanza(arguments: ["grease", "x"], body: [UInt8](repeating: 7, count: 48))
        #expect(stanza.encoded.hasSuffix("\n\n"))
        let fileKey = AgeFileKey.generate()
        let identity = AgeIdentity.generate()
        let x25519 = try X25519Stanza.wrap(fileKey: fileKey, to: identity.recipient)
        let file = AgeHeader.encode(stanzas: [stanza, x25519], fileKey: fileKey)
            + (try AgeStream.seal([1, 2, 3], fileKey: fileKey))
        #expect(try AgeHeader.parse(file).header.stanzas == [stanza, x25519])
        #expect(try Age.decrypt(file, with: identity) == [1, 2, 3])
    }

    @Test("Encrypting to nobody is refused")
    func noRecipients() {
        #expect(throws: AgeError.noRecipients) { try Age.encrypt([1], to: []) }
    }
}
