/// Bounds on the shape of a YAML or JSON body, checked on the raw text before any tree is built,
/// so a small hostile document cannot cost seconds of CPU or gigabytes of memory.
public struct DocumentLimits: Sendable, Equatable {
    /// Documents in one body (YAML `---` separated, or items of `{"documents": [...]}`).
    public var maxDocuments: Int
    /// Nesting of sequences and mappings (arrays and objects).
    public var maxDepth: Int
    /// Scalars, sequences and mappings in the whole body.
    public var maxNodes: Int
    /// Bytes in one scalar or string (keys included).
    public var maxScalarBytes: Int

    /// The scalar bound is 128 KiB so that the longest config value (32768 characters, each up to
    /// four bytes in UTF-8) still fits.
    public init(maxDocuments: Int = 1_000, maxDepth: Int = 64, maxNodes: Int = 100_000, maxScalarBytes: Int = 128 * 1024) {
        self.maxDocuments = maxDocuments
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxScalarBytes = maxScalarBytes
    }

    /// The limits every API body and manifest file is held to.
    public static let standard = DocumentLimits()

    /// The refusal for a body past one of the limits.
    func exceeded(_ what: String, line: Int? = nil) -> ValidationError {
        ValidationError(field: "", message: "the body has \(what)" + (line.map { " (line \($0))" } ?? ""))
    }
}
