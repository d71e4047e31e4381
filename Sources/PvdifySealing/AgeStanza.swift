/// One recipient stanza of an age header: its arguments (the first names its type) and its body.
struct AgeStanza: Sendable, Equatable {
    /// The arguments after `->`; never empty, each printable ASCII without spaces.
    var arguments: [String]
    /// The decoded body.
    var body: [UInt8]

    /// The stanza's type, its first argument.
    var type: String { arguments[0] }

    /// The stanza as header text: the argument line, then the body in base64 lines of 64 columns,
    /// ending with a line shorter than 64 (empty when the body fills whole lines).
    var encoded: String {
        var text = "-> " + arguments.joined(separator: " ") + "\n"
        var body = Substring(AgeBase64.encodeUnpadded(body))
        while body.count >= AgeHeader.columns {
            text += body.prefix(AgeHeader.columns) + "\n"
            body = body.dropFirst(AgeHeader.columns)
        }
        return text + body + "\n"
    }
}
