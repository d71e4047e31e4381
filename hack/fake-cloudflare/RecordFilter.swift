/// The list filters of `GET /zones/{zone}/dns_records`: `type`, `name` / `name.exact|contains|startswith|endswith`,
/// `content` / `content.exact|...`, `comment` / `comment.exact|contains|startswith|endswith|present|absent`,
/// `proxied`, and `match` (`all`, the default, or `any`). Names, contents and comments compare
/// case-insensitively, as Cloudflare documents for comments.
struct RecordFilter {
    private var tests: [(FakeRecord) -> Bool] = []
    private var matchAny = false

    init(_ query: [(String, String)]) {
        for (key, value) in query {
            let wanted = value.lowercased()
            switch key {
            case "match": matchAny = value == "any"
            case "type": tests.append { $0.type == value.uppercased() }
            case "proxied": tests.append { $0.proxied == (value == "true") }
            default:
                let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
                guard let field = parts.first, ["name", "content", "comment"].contains(field) else { continue }
                let operation = parts.count > 1 ? parts[1] : "exact"
                tests.append { record in
                    let text: String? =
                        switch field {
                        case "name": record.name
                        case "content": record.content
                        default: record.comment
                        }
                    return Self.apply(operation, text?.lowercased(), wanted)
                }
            }
        }
    }

    static func apply(_ operation: String, _ text: String?, _ wanted: String) -> Bool {
        switch operation {
        case "present": return text != nil && text != ""
        case "absent": return text == nil || text == ""
        default: break
        }
        guard let text else { return false }
        switch operation {
        case "contains": return text.contains(wanted)
        case "startswith": return text.hasPrefix(wanted)
        case "endswith": return text.hasSuffix(wanted)
        default: return text == wanted
        }
    }

    func matches(_ record: FakeRecord) -> Bool {
        guard !tests.isEmpty else { return true }
        return matchAny ? tests.contains { $0(record) } : tests.allSatisfy { $0(record) }
    }
}
