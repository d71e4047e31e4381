/// A client mistake in a request or manifest, naming the field (`spec.processes.web.count`).
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the offending field; empty for the document as a whole.
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}
