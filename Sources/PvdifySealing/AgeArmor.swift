/// The ASCII armor of age files: strict PEM (RFC 7468) with the label "AGE ENCRYPTED FILE",
/// padded base64 in lines of 64 columns. Only whitespace may surround the block.
enum AgeArmor {
    static let beginLine = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let endLine = "-----END AGE ENCRYPTED FILE-----"
    static let columns = 64

    /// Whether `file` is armored: it starts, after optional whitespace, with the begin line.
    static func isArmored(_ file: [UInt8]) -> Bool {
        file.drop(while: isWhitespace).starts(with: beginLine.utf8)
    }

    /// Armors a binary age file, ending with a newline.
    static func encode(_ file: [UInt8]) -> [UInt8] {
        var text = beginLine + "\n"
        var encoded = Substring(AgeBase64.encodePadded(file))
        while !encoded.isEmpty {
            text += encoded.prefix(columns) + "\n"
            encoded = encoded.dropFirst(columns)
        }
        return Array((text + endLine + "\n").utf8)
    }

    /// Removes the armor; LF or CRLF line endings are accepted.
    static func decode(_ file: [UInt8]) throws(AgeError) -> [UInt8] {
        let trimmed = file.drop(while: isWhitespace)
        var lines = trimmed.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
        guard lines.first?.elementsEqual(beginLine.utf8) == true else { throw .malformedArmor }
        lines.removeFirst()
        guard let endIndex = lines.firstIndex(where: { $0.elementsEqual(endLine.utf8) }) else {
            throw .malformedArmor
        }
        guard lines[(endIndex + 1)...].allSatisfy({ $0.allSatisfy(isWhitespace) }) else { throw .trailingData }
        let body = lines[..<endIndex]
        guard let last = body.last, !last.isEmpty, last.count <= columns,
              body.dropLast().allSatisfy({ $0.count == columns })
        else { throw .malformedArmor }
        let text = String(decoding: body.joined(), as: UTF8.self)
        guard let decoded = AgeBase64.decodePadded(text[...]) else { throw .malformedArmor }
        return decoded
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }
}
