import Crypto
import Testing
@testable import PvdifySealing

@Suite("age files that were changed, cut or forged")
struct AgeTamperTests {
    let identity = AgeIdentity.generate()

    /// A file with an unknown stanza before the X25519 one, so the header can be changed without
    /// touching the wrapped key.
    func greasedFile(_ plaintext: [UInt8]) throws -> (file: [UInt8], fileKey: [UInt8]) {
        let fileKey = AgeFileKey.generate()
        let stanzas = [
            AgeStanza(arguments: ["grease", "abc"], body: [1, 2, 3]),
            try X25519Stanza.wrap(fileKey: fileKey, to: identity.recipient),
        ]
        let file = AgeHeader.encode(stanzas: stanzas, fileKey: fileKey) + (try AgeStream.seal(plaintext, fileKey: fileKey))
        return (file, fileKey)
    }

    /// A payload sealed chunk by chunk with the given final flags, built here with Crypto directly.
    func payload(chunks: [[UInt8]], finalFlags: [Bool], fileKey: [UInt8]) throws -> [UInt8] {
        let nonce = [UInt8](repeating: 0x5a, count: 16)
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: fileKey), salt: nonce, info: Array("payload".utf8), outputByteCount: 32)
        var output = nonce
        for (index, chunk) in chunks.enumerated() {
            var chunkNonce = [UInt8](repeating: 0, count: 11)
            chunkNonce[10] = UInt8(index)
            chunkNonce.append(finalFlags[index] ? 1 : 0)
            let box = try ChaChaPoly.seal(chunk, using: key, nonce: ChaChaPoly.Nonce(data: chunkNonce))
            output += box.ciphertext + box.tag
        }
        return output
    }

    func header(fileKey: [UInt8]) throws -> [UInt8] {
        AgeHeader.encode(stanzas: [try X25519Stanza.wrap(fileKey: fileKey, to: identity.recipient)], fileKey: fileKey)
    }

    func position(of text: String, in file: [UInt8]) -> Int {
        let needle = Array(text.utf8)
        return (0...(file.count - needle.count)).first { file[$0..<($0 + needle.count)].elementsEqual(needle) }!
    }

    @Test("A payload built independently from the specification opens")
    func independentPayload() throws {
        let fileKey = AgeFileKey.generate()
        let chunks = [[UInt8](repeating: 1, count: AgeStream.chunkLength), [2, 3]]
        let file = try header(fileKey: fileKey) + payload(chunks: chunks, finalFlags: [false, true], fileKey: fileKey)
        #expect(try Age.decrypt(file, with: identity) == chunks[0] + chunks[1])
    }

    @Test("A changed byte in a stanza the key does not depend on breaks the header MAC")
    func changedHeader() throws {
        var (file, _) = try greasedFile([1, 2, 3])
        file[position(of: "-> grease abc", in: file) + 10] = UInt8(ascii: "x")
        #expect(throws: AgeError.headerMACMismatch) { try Age.decrypt(file, with: identity) }
    }

    @Test("A changed header MAC is refused")
    func changedMAC() throws {
        var (file, _) = try greasedFile([1, 2, 3])
        let mac = position(of: "--- ", in: file) + 4
        file[mac] = file[mac] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AgeError.headerMACMismatch) { try Age.decrypt(file, with: identity) }
    }

    @Test("A changed wrapped key opens for nobody")
    func changedStanzaBody() throws {
        var (file, _) = try greasedFile([1, 2, 3])
        let body = position(of: "-> X25519 ", in: file)
        let lineEnd = file[body...].firstIndex(of: UInt8(ascii: "\n"))! + 1
        file[lineEnd] = file[lineEnd] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: identity) }
    }

    @Test("A changed payload byte fails authentication, in every chunk")
    func changedPayload() throws {
        let plaintext = [UInt8](repeating: 4, count: AgeStream.chunkLength + 100)
        let (file, _) = try greasedFile(plaintext)
        for offset in [file.count - 1, file.count - 200, file.count - 65_600] {
            var changed = file
            changed[offset] ^= 0x01
            #expect(throws: AgeError.payloadAuthenticationFailed) { try Age.decrypt(changed, with: identity) }
        }
        var changedNonce = file
        changedNonce[position(of: "--- ", in: file) + 48] ^= 0x80
        #expect(throws: AgeError.payloadAuthenticationFailed) { try Age.decrypt(changedNonce, with: identity) }
    }

    @Test("The wrong identity is told apart from a damaged file")
    func wrongKey() throws {
        let (file, _) = try greasedFile([1, 2, 3])
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: AgeIdentity.generate()) }
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(file, with: []) }
    }

    @Test("Cut files are refused: inside the header, in the payload, at a chunk boundary")
    func truncated() throws {
        let plaintext = [UInt8](repeating: 4, count: 2 * AgeStream.chunkLength)
        let (file, _) = try greasedFile(plaintext)
        let payloadStart = try AgeHeader.parse(file).payloadStart
        #expect(throws: AgeError.malformedHeader) { try Age.decrypt(file.prefix(payloadStart - 1), with: identity) }
        #expect(throws: AgeError.truncatedPayload) { try Age.decrypt(file.prefix(payloadStart + 20), with: identity) }
        let oneChunk = payloadStart + 16 + AgeStream.chunkLength + 16
        #expect(throws: AgeError.truncatedPayload) { try Age.decrypt(file.prefix(oneChunk), with: identity) }
        #expect(throws: AgeError.truncatedPayload) { try Age.decrypt(file.prefix(oneChunk + 3), with: identity) }
        #expect(throws: AgeError.payloadAuthenticationFailed) { try Age.decrypt(file.dropLast(), with: identity) }
    }

    @Test("Bytes after the final chunk or after the armor are refused")
    func trailingData() throws {
        let (file, _) = try greasedFile([UInt8](repeating: 4, count: AgeStream.chunkLength))
        #expect(throws: AgeError.trailingData) { try Age.decrypt(file + [0], with: identity) }
        #expect(throws: AgeError.trailingData) { try Age.decrypt(file + [UInt8](repeating: 0, count: 40), with: identity) }
        let armored = try Age.encrypt([1], to: [identity.recipient], armored: true)
        #expect(throws: AgeError.trailingData) { try Age.decrypt(armored + Array("x\n".utf8), with: identity) }
        // Whitespace around the armor is allowed.
        #expect(try Age.decrypt(Array(" \n".utf8) + armored + Array("\n\n".utf8), with: identity) == [1])
    }

    @Test("An empty final chunk is refused after a full chunk, and allowed as the whole payload")
    func emptyFinalChunk() throws {
        let fileKey = AgeFileKey.generate()
        let full = [UInt8](repeating: 1, count: AgeStream.chunkLength)
        let withEmpty = try header(fileKey: fileKey)
            + payload(chunks: [full, []], finalFlags: [false, true], fileKey: fileKey)
        #expect(throws: AgeError.emptyFinalChunk) { try Age.decrypt(withEmpty, with: identity) }
        let empty = try header(fileKey: fileKey) + payload(chunks: [[]], finalFlags: [true], fileKey: fileKey)
        #expect(try Age.decrypt(empty, with: identity) == [])
    }

    @Test("A file whose only chunk is not marked final is cut; a final chunk before the last means trailing data")
    func finalFlags() throws {
        let fileKey = AgeFileKey.generate()
        let notFinal = try header(fileKey: fileKey) + payload(chunks: [[1, 2]], finalFlags: [false], fileKey: fileKey)
        #expect(throws: AgeError.truncatedPayload) { try Age.decrypt(notFinal, with: identity) }
        let early = [UInt8](repeating: 1, count: AgeStream.chunkLength)
        let finalFirst = try header(fileKey: fileKey)
            + payload(chunks: [early, [5]], finalFlags: [true, true], fileKey: fileKey)
        #expect(throws: AgeError.trailingData) { try Age.decrypt(finalFirst, with: identity) }
    }

    @Test("An ephemeral share of all zeros gives a zero shared secret and is refused")
    func zeroShare() throws {
        let fileKey = AgeFileKey.generate()
        let zero = AgeBase64.encodeUnpadded([UInt8](repeating: 0, count: 32))
        let stanza = AgeStanza(arguments: ["X25519", zero], body: [UInt8](repeating: 3, count: 32))
        let file = AgeHeader.encode(stanzas: [stanza], fileKey: fileKey) + (try AgeStream.seal([1], fileKey: fileKey))
        #expect(throws: AgeError.zeroSharedSecret) { try Age.decrypt(file, with: identity) }
    }

    @Test("Malformed X25519 stanzas are refused", arguments: [
        ["X25519"],  // no share
        ["X25519", "AAAA", "extra"],  // too many arguments
        ["X25519", "AAAA"],  // share too short
    ])
    func malformedStanza(arguments: [String]) throws {
        let fileKey = AgeFileKey.generate()
        let stanza = AgeStanza(arguments: arguments, body: [UInt8](repeating: 3, count: 32))
        let file = AgeHeader.encode(stanzas: [stanza], fileKey: fileKey) + (try AgeStream.seal([1], fileKey: fileKey))
        #expect(throws: AgeError.malformedStanza) { try Age.decrypt(file, with: identity) }
    }

    @Test("A non-canonical share or a body that is not 32 bytes is refused")
    func nonCanonicalStanza() throws {
        let fileKey = AgeFileKey.generate()
        var share = AgeBase64.encodeUnpadded(identity.recipient.publicKey.rawRepresentation)
        // The last of 43 characters carries two unused bits; setting one keeps the length.
        let last = share.removeLast()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        share.append(alphabet[alphabet.firstIndex(of: last)! | 1])
        for stanza in [
            AgeStanza(arguments: ["X25519", share], body: [UInt8](repeating: 3, count: 32)),
            AgeStanza(arguments: ["X25519", AgeBase64.encodeUnpadded(identity.recipient.publicKey.rawRepresentation)],
                      body: [UInt8](repeating: 3, count: 33)),
        ] {
            let file = AgeHeader.encode(stanzas: [stanza], fileKey: fileKey) + (try AgeStream.seal([1], fileKey: fileKey))
            #expect(throws: AgeError.malformedStanza) { try Age.decrypt(file, with: identity) }
        }
    }

    @Test("Malformed headers are refused with the header error", arguments: [
        "age-encryption.org/v1\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // no stanza
        "age-encryption.org/v1\n-> X25519\n\n",  // no MAC line
        "age-encryption.org/v1\n-> a  b\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // empty argument
        "age-encryption.org/v1\n->\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // no argument
        "age-encryption.org/v1\n-> a\nAAAA=\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // padded body
        "age-encryption.org/v1\n-> a\n" + String(repeating: "A", count: 65)
            + "\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // body line over 64 columns
        "age-encryption.org/v1\n-> a\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // MAC too short
        "age-encryption.org/v1\n-> a\n\n---AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // no space after ---
        "age-encryption.org/v1\n-> a\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\n",  // non-canonical MAC
        "age-encryption.org/v1\n-> a\n\nrandom line\n",  // a line of no kind
        "age-encryption.org/v1\r\n-> a\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",  // CR in the header
        "not age at all\n",
        "",
    ])
    func malformedHeader(text: String) {
        #expect(throws: AgeError.malformedHeader) { try Age.decrypt(Array(text.utf8), with: identity) }
    }

    @Test("A passphrase stanza beside an X25519 stanza is refused, even though the key would open")
    func scryptMixedWithX25519() throws {
        let fileKey = AgeFileKey.generate()
        let stanzas = [
            AgeStanza(arguments: ["scrypt", "AAAAAAAAAAAAAAAAAAAAAA", "10"], body: [UInt8](repeating: 3, count: 32)),
            try X25519Stanza.wrap(fileKey: fileKey, to: identity.recipient),
        ]
        let file = AgeHeader.encode(stanzas: stanzas, fileKey: fileKey) + (try AgeStream.seal([1], fileKey: fileKey))
        #expect(throws: AgeError.malformedHeader) { try Age.decrypt(file, with: identity) }
        let alone = AgeHeader.encode(stanzas: [stanzas[1]], fileKey: fileKey) + (try AgeStream.seal([1], fileKey: fileKey))
        #expect(try Age.decrypt(alone, with: identity) == [1])
    }

    @Test("Another version is refused as unsupported")
    func otherVersion() throws {
        var (file, _) = try greasedFile([1])
        file[20] = UInt8(ascii: "2")
        #expect(throws: AgeError.unsupportedVersion) { try Age.decrypt(file, with: identity) }
    }

    @Test("Malformed armor is refused")
    func malformedArmor() throws {
        let plaintext = [UInt8](repeating: 1, count: 200)
        let armored = String(decoding: try Age.encrypt(plaintext, to: [identity.recipient], armored: true), as: UTF8.self)
        var lines = armored.split(separator: "\n").map(String.init)
        #expect(lines.count > 4)
        let cases: [String] = [
            armored.replacingOccurrences(of: "-----END AGE ENCRYPTED FILE-----\n", with: ""),  // no end line
            armored.replacingOccurrences(of: "AGE ENCRYPTED FILE-----\n", with: "AGE ENCRYPTED FILE----- \n"),
            { var short = lines; short[1].removeLast(); return short.joined(separator: "\n") + "\n" }(),  // 63 columns
            {  // 65 columns, then 63
                var long = lines
                long[1] += long[2].prefix(1)
                long[2].removeFirst()
                return long.joined(separator: "\n") + "\n"
            }(),
            { var bad = lines; bad[1] = "*" + bad[1].dropFirst(); return bad.joined(separator: "\n") + "\n" }(),
            "-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n",  // empty body
        ]
        for text in cases {
            #expect(throws: AgeError.malformedArmor) { try Age.decrypt(Array(text.utf8), with: identity) }
        }
        // A last line with non-zero padding bits: "AB==" and "AA==" both decode to one byte.
        lines = ["-----BEGIN AGE ENCRYPTED FILE-----", "AB==", "-----END AGE ENCRYPTED FILE-----"]
        let badPadding = Array(lines.joined(separator: "\n").utf8)
        #expect(throws: AgeError.malformedArmor) { try Age.decrypt(badPadding, with: identity) }
        // CRLF line endings are accepted.
        let crlf = armored.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try Age.decrypt(Array(crlf.utf8), with: identity) == plaintext)
    }

    @Test("Inputs over the size limit are refused before parsing")
    func sizeLimit() throws {
        let file = try Age.encrypt([UInt8](repeating: 1, count: 2000), to: [identity.recipient])
        #expect(throws: AgeError.inputTooLarge(limit: 1000)) { try Age.decrypt(file, with: identity, sizeLimit: 1000) }
        let huge = [UInt8](repeating: 0, count: Age.defaultSizeLimit + 1)
        #expect(throws: AgeError.inputTooLarge(limit: Age.defaultSizeLimit)) { try Age.decrypt(huge, with: identity) }
    }

    @Test("Every prefix and thousands of random single-byte changes throw an error, never crash")
    func mutations() throws {
        for armored in [false, true] {
            let file = try Age.encrypt(Array("value".utf8), to: [identity.recipient], armored: armored)
            // An armored file without its last newline is still whole.
            for length in 0..<file.count where !(armored && length == file.count - 1) {
                #expect(throws: AgeError.self) { try Age.decrypt(file.prefix(length), with: identity) }
            }
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<2000 {
                var changed = file
                let index = Int.random(in: 0..<file.count, using: &generator)
                let value = UInt8.random(in: 0...255, using: &generator)
                // Whitespace edits around armor and flips of the base64 padding are not changes.
                guard changed[index] != value else { continue }
                changed[index] = value
                if let opened = try? Age.decrypt(changed, with: identity) {
                    #expect(armored && opened == Array("value".utf8), "a changed file opened to other bytes")
                }
            }
        }
    }
}
