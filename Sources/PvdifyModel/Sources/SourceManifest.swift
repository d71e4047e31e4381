/// The Source document (`apiVersion: pvdify.win/v1`, `kind: Source`), accepted by `apply` beside
/// App documents.
public struct SourceManifest: Sendable, Equatable {
    public static let kind = "Source"

    public var name: String
    public var spec: SourceSpec

    public init(name: String, spec: SourceSpec) {
        self.name = name
        self.spec = spec
    }

    /// Whether a document says `kind: Source` (anything else is read as an App).
    public static func isSource(_ document: JSONValue) -> Bool { document["kind"]?.stringValue == kind }

    /// Validates a whole document; every error names its field (`spec.ref.branch`).
    public static func parse(_ document: JSONValue) throws -> SourceManifest {
        let root = try FieldReader(document)
        try root.rejectUnknown(allowed: ["apiVersion", "kind", "metadata", "spec", "status"])
        guard try root.string("apiVersion") == AppManifest.apiVersion else {
            throw ValidationError(field: "apiVersion", message: "must be '\(AppManifest.apiVersion)'")
        }
        guard try root.string("kind") == kind else { throw ValidationError(field: "kind", message: "must be '\(kind)'") }
        guard let metadata = try root.object("metadata") else { throw ValidationError(field: "metadata", message: "is required") }
        try metadata.rejectUnknown(allowed: ["name"])
        let name = try metadata.requiredString("name")
        if let problem = Rules.appName(name) { throw ValidationError(field: "metadata.name", message: problem) }
        guard let spec = try root.object("spec") else { throw ValidationError(field: "spec", message: "is required") }
        return SourceManifest(name: name, spec: try SourceSpec.parse(spec, base: nil))
    }
}
