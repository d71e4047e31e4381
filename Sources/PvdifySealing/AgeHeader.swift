import Crypto

/// The text header of an age v1 file: the version line, the recipient stanzas and the MAC that
/// binds them to the file key.
struct AgeHeader: Sendable {
    static let versionLine = "age-encryption.org/v1"
    static let versionPrefix = "age-encryption.org/"
    /// Stanza bodies wrap at 64 columns.
    static let columns = 64

    /// The recipient stanzas, in file order; at least one.
    var stanzas: [AgeStanza]
    /// The MAC from the `---` line.
    var mac: [UInt8]
    /// The header bytes the MAC covers: everything up to and including `---`.
    var authenticatedBytes: ArraySlice<UInt8>

    /// Writes a header for `stanzas`, with its MAC under `fileKey`.
    static func encode(stanzas: [AgeStanza], fileKey: [UInt8]) -> [UInt8] {
        var text = versionLine + "\n"
        for stanza in stanzas { text += stanza.encoded }
        text += "---"
        let covered = Array(text.utf8)
        return covered + Array(" \(AgeBase64.encodeUnpadded(mac(of: covered[...], fileKey: fileKey)))\n".utf8)
    }

    /// The header MAC: HMAC-SHA-256 keyed with HKDF(file key, info "header").
    static func mac(of bytes: ArraySlice<UInt8>, fileKey: [UInt8]) -> [UInt8] {
        let key = AgeFileKey.derive(fileKey, salt: [], info: "header")
        return [UInt8](HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    /// Whether the MAC matches under `fileKey`, compared in constant time.
    func isAuthentic(fileKey: [UInt8]) -> Bool {
        let key = AgeFileKey.derive(fileKey, salt: [], info: "header")
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: authenticatedBytes, using: key)
    }

    /// Parses the header at the start of `file`; returns it with the offset where the payload starts.
    static func parse(_ file: [UInt8]) throws(AgeError) -> (header: AgeHeader, payloadStart: Int) {
        var reader = LineReader(bytes: file)
        let version = try reader.line()
        guard version == versionLine else {
            throw version.hasPrefix(versionPrefix) ? .unsupportedVersion : .malformedHeader
        }
        var stanzas: [AgeStanza] = []
        while true {
            let lineStart = reader.offset
            let line = try reader.line()
            if line.hasPrefix("-> ") {
                stanzas.append(try parseStanza(arguments: line.dropFirst(3), reader: &reader))
            } else if line.hasPrefix("---") {
                guard !stanzas.isEmpty, line.hasPrefix("--- "),
                      let mac = AgeBase64.decodeUnpadded(line.dropFirst(4)), mac.count == 32
                else { throw .malformedHeader }
                let header = AgeHeader(stanzas: stanzas, mac: mac, authenticatedBytes: file[..<(lineStart + 3)])
                return (header, reader.offset)
            } else {
                throw .malformedHeader
            }
        }
    }

    private static func parseStanza(arguments: Substring, reader: inout LineReader) throws(AgeError) -> AgeStanza {
        let parts = arguments.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty }) else { throw .malformedHeader }
        var encodedBody = ""
        while true {
            let line = try reader.line()
            guard line.count <= columns else { throw .malformedHeader }
            encodedBody += line
            if line.count < columns { break }
        }
        guard let body = AgeBase64.decodeUnpadded(encodedBody[...]) else { throw .malformedHeader }
        return AgeStanza(arguments: parts.map(String.init), body: body)
    }
}

/// Reads LF-terminated header lines of printable ASCII.
private struct LineReader {
    let bytes: [UInt8]
    var offset = 0

    /// The next line without its LF; a missing LF or a byte outside 0x20-0x7E is malformed.
    mutating func line() throws(AgeError) -> Substring {
        guard let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else { throw .malformedHeader }
        let content = bytes[offset..<end]
        guard content.allSatisfy({ $0 >= 0x20 && $0 <= 0x7e }) else { throw .malformedHeader }
        offset = end + 1
        return Substring(String(decoding: content, as: UTF8.self))
    }
}
