import Foundation
import PvdifyModel

/// Calls for tests under `/__admin`: count the API calls received, read every object, edit one as another field manager would
/// (`kubectl edit`), and forget the event history (open watches end; a watch from an old version gets 410 Gone).
extension FakeKubernetes {
    func admin(_ call: Call) -> Reply {
        switch (call.method, call.path) {
        case ("GET", "/__admin/objects"):
            let items = objects.sorted { ($0.key.plural, $0.key.name) < ($1.key.plural, $1.key.name) }.map { rendered($0.value) }
            return .json(200, ["items": .array(items)])
        case ("GET", "/__admin/stats"):
            return .json(200, .object(calls.mapValues(JSONValue.int)))
        case ("POST", "/__admin/edit"):
            return edit(call)
        case ("POST", "/__admin/compact"):
            // As an API server that restarted with a compacted etcd: open watches end, and a watch
            // from any version seen before is answered 410 Gone.
            history.removeAll()
            oldestWatchable = resourceVersion + 1
            for watcher in watchers.values { watcher.continuation.finish() }
            watchers.removeAll()
            return .json(200, ["oldest_watchable": .int(oldestWatchable)])
        default:
            return Self.status(404, "NotFound", "no such admin call")
        }
    }

    /// `POST /__admin/edit?plural=P&namespace=N&name=X&manager=M` with a partial object: its
    /// fields are merged in as an `Update` by manager M, which takes ownership of each field whose
    /// value it changes (as any write that is not an apply does) and shares the ones it leaves equal.
    func edit(_ call: Call) -> Reply {
        guard let plural = call.query["plural"], let namespace = call.query["namespace"], let name = call.query["name"],
              let manager = call.query["manager"], !manager.isEmpty
        else { return Self.status(400, "BadRequest", "plural, namespace, name and manager are required") }
        let key = ObjectKey(plural: plural, namespace: namespace, name: name)
        guard var stored = objects[key] else { return Self.status(404, "NotFound", "\(plural) \"\(name)\" not found") }
        guard let patch = try? JSONValue.parse(json: call.body), patch.objectValue != nil else {
            return Self.status(400, "BadRequest", "the body must be a JSON object")
        }
        let fields = patch.ownableFields()
        for (path, value) in fields where stored.object.value(at: path) != value {
            for other in stored.owners.keys where other != manager { stored.owners[other]?.fields.remove(path) }
            stored.object.set(value, at: path)
        }
        var ownership = stored.owners[manager] ?? Ownership(operation: "Update", fields: [], time: Self.now())
        ownership.fields.formUnion(fields.keys)
        stored.owners[manager] = ownership
        stored.owners = stored.owners.filter { !$0.value.fields.isEmpty }
        return .json(200, commit(key, stored))
    }
}
