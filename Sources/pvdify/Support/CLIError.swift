/// A failure the CLI reports as `error: message` (plus detail lines) with a non-zero exit code.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    /// Further lines, one per problem (every invalid document of an apply, for example).
    var details: [String] = []
    var exitCode: Int32 = 1
    /// The HTTP status when the API refused the request.
    var httpStatus: Int?

    init(_ message: String, details: [String] = [], exitCode: Int32 = 1) {
        self.message = message
        self.details = details
        self.exitCode = exitCode
    }

    var description: String { ([message] + details).joined(separator: "\n") }
}
