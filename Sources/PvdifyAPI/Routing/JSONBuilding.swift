import Foundation
import PvdifyModel

// Response-building helpers: explicit `null`s, no hidden omissions.
extension JSONValue {
    static func time(_ date: Date?) -> JSONValue { date.map { .string(Timestamps.format($0)) } ?? .null }
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func number(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
    static func map(_ values: [String: String]) -> JSONValue { .object(values.mapValues(JSONValue.string)) }
}
