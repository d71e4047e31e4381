/// One query parameter of a request value (a tuple would not be `Equatable`), not yet
/// percent-encoded; the drivers' request values keep them in order.
public struct QueryParameter: Sendable, Equatable {
    /// The parameter's name, e.g. `comment.startswith`.
    public var name: String
    /// Its value.
    public var value: String

    /// Makes a parameter.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// `path` with the percent-encoded query string of `query`, if any.
    public static func target(_ path: String, _ query: [QueryParameter]) -> String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }.joined(separator: "&")
    }
}
