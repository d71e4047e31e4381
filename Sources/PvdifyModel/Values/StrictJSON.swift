import Foundation

/// A single pass over a JSON text for what `JSONDecoder` accepts silently or pays for dearly: a key
/// twice in one object (the decoder keeps one of them), and the `DocumentLimits` (depth, nodes,
/// string length). None of the project's libraries detects duplicate keys, hence this scanner.
/// It judges shapes only; syntax is left to the decoder that runs after it.
struct StrictJSON {
    let bytes: [UInt8]
    let limits: DocumentLimits
    var index = 0
    var nodes = 0

    /// Throws a `ValidationError` naming the field of the first duplicate key or the limit passed.
    static func check(_ data: Data, limits: DocumentLimits) throws {
        var scanner = StrictJSON(bytes: Array(data), limits: limits)
        try scanner.value(depth: 0, path: "")
    }

    static let syntax = ValidationError(field: "", message: "body is not valid JSON")

    mutating func value(depth: Int, path: String) throws {
        nodes += 1
        guard nodes <= limits.maxNodes else { throw limits.exceeded("more than \(limits.maxNodes) values") }
        skipSpace()
        guard index < bytes.count else { throw Self.syntax }
        switch bytes[index] {
        case UInt8(ascii: "{"): try object(depth: depth + 1, path: path)
        case UInt8(ascii: "["): try array(depth: depth + 1, path: path)
        case UInt8(ascii: "\""): _ = try string(field: path)
        default: try literal()
        }
    }

    mutating func object(depth: Int, path: String) throws {
        guard depth <= limits.maxDepth else { throw limits.exceeded("nesting deeper than \(limits.maxDepth) levels") }
        index += 1
        var keys: Set<String> = []
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw Self.syntax }
            let key = try string(field: path)
            let field = path.isEmpty ? key : "\(path).\(key)"
            guard keys.insert(key).inserted else { throw ValidationError(field: field, message: "appears twice in one object") }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw Self.syntax }
            index += 1
            try value(depth: depth, path: field)
            skipSpace()
            guard let next = peek else { throw Self.syntax }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { return }
            throw Self.syntax
        }
    }

    mutating func array(depth: Int, path: String) throws {
        guard depth <= limits.maxDepth else { throw limits.exceeded("nesting deeper than \(limits.maxDepth) levels") }
        index += 1
        skipSpace()
        if peek == UInt8(ascii: "]") { index += 1; return }
        var position = 0
        while true {
            try value(depth: depth, path: "\(path)[\(position)]")
            position += 1
            skipSpace()
            guard let next = peek else { throw Self.syntax }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return }
            throw Self.syntax
        }
    }

    /// A string's decoded text; `index` is on its opening quote.
    mutating func string(field: String) throws -> String {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") { escaped = true; index += 1 }
            index += 1
        }
        guard index < bytes.count else { throw Self.syntax }
        let raw = bytes[start..<index]
        index += 1
        guard raw.count <= limits.maxScalarBytes else {
            throw ValidationError(field: field, message: "holds a string longer than \(limits.maxScalarBytes / 1024) KiB")
        }
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        // Escapes are rare in keys; the decoder reads them exactly as it will read the body.
        guard let text = try? JSONDecoder().decode(String.self, from: Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])) else {
            throw Self.syntax
        }
        return text
    }

    /// A number, `true`, `false` or `null`: consumed here, judged by the decoder.
    mutating func literal() throws {
        let start = index
        while let byte = peek, Self.isLiteral(byte) { index += 1 }
        guard index > start else { throw Self.syntax }
    }

    static func isLiteral(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "E")
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { index += 1 }
    }
}
