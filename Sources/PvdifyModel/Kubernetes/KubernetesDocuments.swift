import Yams

/// Rendered objects as text: a multi-document YAML stream (`kubectl apply -f -`) or a JSON `List`,
/// both with sorted keys so the same objects always give the same text.
public enum KubernetesDocuments {
    /// Each object as one YAML document, separated by `---`.
    public static func yaml(_ objects: [JSONValue]) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try objects.map { "---\n" + (try encoder.encode($0)) }.joined()
    }

    /// The objects as a `v1` `List`, which `kubectl apply -f` also takes.
    public static func list(_ objects: [JSONValue]) -> JSONValue {
        ["apiVersion": "v1", "kind": "List", "items": .array(objects)]
    }
}
