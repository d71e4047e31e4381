import PvdifyModel

/// A field inside an object, by keys from the top: `["spec", "replicas"]`. Lists count as one
/// field (the stand-in does not merge lists by key as a real API server does).
typealias FieldPath = [String]

extension JSONValue {
    /// Every field set in this object, down to scalars, lists and empty maps, with its value;
    /// the fields the server keeps for itself (identity, bookkeeping, status) are left out.
    func ownableFields() -> [FieldPath: JSONValue] {
        var fields: [FieldPath: JSONValue] = [:]
        collect(prefix: [], into: &fields)
        return fields.filter { path, _ in !FieldPath.serverOwned(path) }
    }

    private func collect(prefix: FieldPath, into fields: inout [FieldPath: JSONValue]) {
        if case .object(let members) = self, !members.isEmpty {
            for (key, value) in members { value.collect(prefix: prefix + [key], into: &fields) }
        } else if !prefix.isEmpty {
            fields[prefix] = self
        }
    }

    /// The value at `path`, if set.
    func value(at path: FieldPath) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// Sets the value at `path`, making the maps on the way.
    mutating func set(_ value: JSONValue, at path: FieldPath) {
        guard let key = path.first else {
            self = value
            return
        }
        var members = objectValue ?? [:]
        var child = members[key] ?? .object([:])
        child.set(value, at: Array(path.dropFirst()))
        members[key] = child
        self = .object(members)
    }

    /// Removes the value at `path`, and the maps it leaves empty.
    mutating func remove(at path: FieldPath) {
        guard let key = path.first, var members = objectValue else { return }
        if path.count == 1 {
            members[key] = nil
        } else if var child = members[key] {
            child.remove(at: Array(path.dropFirst()))
            members[key] = child.objectValue?.isEmpty == true ? nil : child
        }
        self = .object(members)
    }
}

extension [String] {
    /// Fields no manager owns: what names the object, the server's bookkeeping, and status.
    static func serverOwned(_ path: [String]) -> Bool {
        guard let first = path.first else { return true }
        if ["apiVersion", "kind", "status"].contains(first) { return true }
        if first == "metadata", path.count > 1 {
            return ["name", "namespace", "resourceVersion", "generation", "uid", "creationTimestamp", "managedFields"].contains(path[1])
        }
        return false
    }

    /// `.spec.replicas`, as the API server names a field in a conflict.
    var dotted: String { map { "." + $0 }.joined() }
}

/// The fields one manager owns, as `metadata.managedFields` shows them.
struct Ownership: Sendable {
    /// `Apply` (server-side apply) or `Update` (any other write, like `kubectl edit`).
    var operation: String
    var fields: Set<FieldPath>
    var time: String

    /// The entry of `metadata.managedFields`, its fields in the `FieldsV1` form (`f:spec` ...).
    func entry(manager: String, apiVersion: String) -> JSONValue {
        var tree = JSONValue.object([:])
        for path in fields { tree.set(.object([:]), at: path.map { "f:" + $0 }) }
        return [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": tree,
        ]
    }
}
