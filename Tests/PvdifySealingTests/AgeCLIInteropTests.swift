import Foundation
import Testing
import PvdifySealing

@Suite(
    "Interoperability with the age command",
    .enabled(if: AgeCommand.isInstalled, "the age command is not installed (Debian package age)"))
struct AgeCLIInteropTests {
    static let sizes = [0, 1, 300, 64 * 1024, 150_000]

    static func plaintext(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
    }

    @Test("Files the age command encrypts to our recipient open here", arguments: sizes)
    func ageToSwift(length: Int) throws {
        let identity = AgeIdentity.generate()
        let directory = try ScratchDirectory()
        let input = try directory.write("plain", Self.plaintext(length))
        for armor in [false, true] {
            let arguments = ["-r", identity.recipient.encoded] + (armor ? ["-a"] : []) + [input]
            let sealed = try AgeCommand.run(AgeCommand.age!, arguments)
            if armor { #expect(sealed.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8))) }
            #expect(try Age.decrypt(sealed, with: identity) == Self.plaintext(length))
        }
    }

    @Test("Files encrypted here open with age -d and our identity file", arguments: sizes)
    func swiftToAge(length: Int) throws {
        let identity = AgeIdentity.generate()
        let directory = try ScratchDirectory()
        let keyFile = try directory.write("key.txt", Array(identity.identityFile().utf8))
        for armored in [false, true] {
            let sealed = try Age.encrypt(Self.plaintext(length), to: [identity.recipient], armored: armored)
            let input = try directory.write("sealed-\(armored)", sealed)
            #expect(try AgeCommand.run(AgeCommand.age!, ["-d", "-i", keyFile, input]) == Self.plaintext(length))
        }
    }

    @Test("A key from age-keygen parses here, gives the same recipient, and opens what age sealed to it")
    func keygenIdentity() throws {
        let directory = try ScratchDirectory()
        let keyFile = directory.url.appendingPathComponent("key.txt").path
        _ = try AgeCommand.run(AgeCommand.keygen!, ["-o", keyFile])
        let identities = try AgeIdentity.identities(inFile: String(contentsOfFile: keyFile, encoding: .utf8))
        #expect(identities.count == 1)
        let recipient = String(decoding: try AgeCommand.run(AgeCommand.keygen!, ["-y", keyFile]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(identities[0].recipient.encoded == recipient)
        #expect(try AgeRecipient(recipient) == identities[0].recipient)
        let input = try directory.write("plain", Array("DATABASE_URL=postgres://db".utf8))
        let sealed = try AgeCommand.run(AgeCommand.age!, ["-r", recipient, "-a", input])
        #expect(try Age.decrypt(sealed, with: identities) == Array("DATABASE_URL=postgres://db".utf8))
    }

    @Test("A file for two recipients, one of them ours, made by age opens here; one not for us does not")
    func severalRecipients() throws {
        let ours = AgeIdentity.generate()
        let theirs = AgeIdentity.generate()
        let directory = try ScratchDirectory()
        let input = try directory.write("plain", [1, 2, 3])
        let sealed = try AgeCommand.run(
            AgeCommand.age!, ["-r", theirs.recipient.encoded, "-r", ours.recipient.encoded, input])
        #expect(try Age.decrypt(sealed, with: ours) == [1, 2, 3])
        let notOurs = try AgeCommand.run(AgeCommand.age!, ["-r", theirs.recipient.encoded, input])
        #expect(throws: AgeError.noMatchingIdentity) { try Age.decrypt(notOurs, with: ours) }
    }

    @Test("age -d refuses a file whose payload was changed here, as this library does")
    func bothRefuseTampering() throws {
        let identity = AgeIdentity.generate()
        let directory = try ScratchDirectory()
        let keyFile = try directory.write("key.txt", Array(identity.identityFile().utf8))
        var sealed = try Age.encrypt(Array("value".utf8), to: [identity.recipient])
        sealed[sealed.count - 1] ^= 1
        let input = try directory.write("sealed", sealed)
        #expect(throws: AgeCommand.CommandFailed.self) { try AgeCommand.run(AgeCommand.age!, ["-d", "-i", keyFile, input]) }
        #expect(throws: AgeError.payloadAuthenticationFailed) { try Age.decrypt(sealed, with: identity) }
    }
}
