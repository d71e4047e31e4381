/// A statement's positional arguments (`?` in the store's SQL).
public struct SQLArguments: Sendable, ExpressibleByArrayLiteral {
    /// The values, in the order of their placeholders.
    public var values: [SQLValue]

    public init(_ values: [SQLValue] = []) {
        self.values = values
    }

    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    /// Appends more arguments (a query built piece by piece).
    public static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }
}
