import PvdifyModel

/// One line of a watch: `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`, with the object.
public struct KubernetesWatchEvent: Sendable, Equatable {
    /// The event type.
    public var type: String
    /// The object as it is after the event (as it was, for `DELETED`).
    public var object: JSONValue

    /// Makes an event.
    public init(type: String, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// Decodes one line; an `ERROR` event becomes the error its `Status` carries (410: list again).
    public static func decode(_ line: [UInt8], call: String) throws -> KubernetesWatchEvent {
        let value: JSONValue
        do {
            value = try JSONValue.parse(json: .init(line))
        } catch {
            throw KubernetesError(status: 0, reason: "BadWatchEvent", message: "a watch line is not JSON", call: call)
        }
        guard let type = value["type"]?.stringValue, let object = value["object"] else {
            throw KubernetesError(status: 0, reason: "BadWatchEvent", message: "a watch line has no type or object", call: call)
        }
        if type == "ERROR" {
            throw KubernetesError(
                status: object["code"]?.intValue ?? 500, reason: object["reason"]?.stringValue ?? "Unknown",
                message: object["message"]?.stringValue ?? "", call: call)
        }
        return KubernetesWatchEvent(type: type, object: object)
    }
}
