import Foundation

/// Strict base64 (RFC 4648 section 4) as age uses it: canonical encodings only, so that one byte
/// string has exactly one text form and a file cannot be altered without breaking its MAC.
enum AgeBase64 {
    /// Encodes without `=` padding, as the age header does.
    static func encodeUnpadded(_ bytes: some Collection<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Encodes with `=` padding, as the ASCII armor does.
    static func encodePadded(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes unpadded base64; nil for padding, characters outside the alphabet, an impossible
    /// length, or non-zero trailing bits.
    static func decodeUnpadded(_ text: Substring) -> [UInt8]? {
        guard !text.contains("="), text.count % 4 != 1 else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return decodePadded(padded[...])
    }

    /// Decodes padded base64; nil for anything but the one canonical encoding of some bytes.
    static func decodePadded(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabetOrPadding) else { return nil }
        guard let data = Data(base64Encoded: String(text)) else { return nil }
        // Foundation accepts non-zero trailing bits; re-encoding shows whether the text was canonical.
        guard data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }

    private static func isAlphabetOrPadding(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
