import PvdifyDrivers
import PvdifyModel

/// The objects pvdify manages in its namespace, as the watches last saw them, by `Kind/name`. A pass reads it instead of asking the API server; a kind whose watch is
/// not running is not known, and passes then ask the server.
actor KubernetesObjectCache {
    private var objects: [String: JSONValue] = [:]
    private var knownKinds: Set<String> = []

    /// The app an object belongs to (its `app.kubernetes.io/name` label).
    static func app(_ object: JSONValue) -> String? {
        object["metadata"]?["labels"]?[KubernetesNames.nameLabel]?.stringValue
    }

    /// `Kind/name` of an object.
    static func key(_ object: JSONValue) -> String? {
        guard let kind = object["kind"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else { return nil }
        return "\(kind)/\(name)"
    }

    /// Everything of `kind`, from a list (watch events list items without `kind`: it is set here).
    func replace(_ kind: String, with items: [JSONValue]) {
        objects = objects.filter { !$0.key.hasPrefix(kind + "/") }
        for item in items {
            let object = Self.withKind(item, kind)
            if let key = Self.key(object) { objects[key] = object }
        }
        knownKinds.insert(kind)
    }

    /// One watch event.
    func record(_ event: KubernetesWatchEvent, kind: String) {
        let object = Self.withKind(event.object, kind)
        guard let key = Self.key(object) else { return }
        if event.type == "DELETED" { objects[key] = nil } else if event.type != "BOOKMARK" { objects[key] = object }
    }

    /// An object pvdify deleted (its watch event follows).
    func remove(_ key: String) { objects[key] = nil }

    /// The watch of `kind` stopped: its objects are no longer known.
    func forget(_ kind: String) {
        knownKinds.remove(kind)
        objects = objects.filter { !$0.key.hasPrefix(kind + "/") }
    }

    /// Whether every kind pvdify writes is being watched.
    var isComplete: Bool { KubernetesResource.all.allSatisfy { knownKinds.contains($0.kind) } }

    /// The object at `key`, if known.
    func object(_ key: String) -> JSONValue? { objects[key] }

    /// The keys of `app`'s objects.
    func keys(of app: String) -> [String] { objects.filter { Self.app($0.value) == app }.keys.sorted() }

    /// Every app that has objects.
    func apps() -> Set<String> { Set(objects.values.compactMap(Self.app)) }

    private static func withKind(_ object: JSONValue, _ kind: String) -> JSONValue {
        guard object["kind"] == nil, case .object(var fields) = object else { return object }
        fields["kind"] = .string(kind)
        return .object(fields)
    }

    /// Whether `live` already holds every field of `wanted` with its value (the server may have
    /// added defaults and others may have added fields): then applying `wanted` changes nothing.
    static func holds(_ live: JSONValue, _ wanted: JSONValue) -> Bool {
        switch (live, wanted) {
        case (.object(let have), .object(let want)):
            return want.allSatisfy { key, value in have[key].map { holds($0, value) } ?? false }
        case (.array(let have), .array(let want)):
            return have.count == want.count && zip(have, want).allSatisfy { holds($0, $1) }
        case (.double(let have), .int(let want)):
            return have == Double(want)
        default:
            return live == wanted
        }
    }
}
