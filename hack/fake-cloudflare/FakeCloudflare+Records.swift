import Foundation

/// `/zones/{zone}/dns_records`: list with filters and paging, create, read, overwrite, patch, delete;
/// with Cloudflare's validation and its codes for duplicates (81057), clashing A/AAAA/CNAME records
/// (81053) and missing records (81044).
extension FakeCloudflare {
    static let recordMissing = FakeReply.failure(404, 81044, "Record does not exist.")
    static let supportedTypes: Set<String> = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA", "SRV"]

    func record(_ zone: FakeZone, _ id: String) -> FakeRecord? {
        records.first { $0.id == id && $0.zoneID == zone.id }
    }

    func listRecords(_ zone: FakeZone, _ call: FakeCloudflare.Call) -> FakeReply {
        let filter = RecordFilter(call.query)
        let matching = records
            .filter { $0.zoneID == zone.id && filter.matches($0) }
            .sorted { ($0.type, $0.name, $0.content, $0.id) < ($1.type, $1.name, $1.content, $1.id) }
        return page(matching.map(\.json), call, defaultPerPage: 100, maxPerPage: 5000)
    }

    func createRecord(_ zone: FakeZone, _ call: FakeCloudflare.Call) -> FakeReply {
        guard let body = Self.object(call.body) else { return .failure(400, 9207, "Request body is invalid.") }
        let now = FakeIDs.now()
        let draft = FakeRecord(
            id: FakeIDs.make(), zoneID: zone.id, zoneName: zone.name, type: "", name: "", content: "", ttl: 1, proxied: false,
            comment: nil, createdOn: now, modifiedOn: now)
        switch validated(draft, with: body, zone: zone, requireAll: true) {
        case .failure(let refusal): return refusal.reply
        case .success(let record):
            if let refusal = clash(record) { return refusal }
            records.append(record)
            return .success(record.json)
        }
    }

    func updateRecord(_ zone: FakeZone, _ id: String, _ call: FakeCloudflare.Call, replace: Bool) -> FakeReply {
        guard let index = records.firstIndex(where: { $0.id == id && $0.zoneID == zone.id }) else { return Self.recordMissing }
        guard let body = Self.object(call.body) else { return .failure(400, 9207, "Request body is invalid.") }
        var base = records[index]
        if replace {
            // PUT overwrites: what the body leaves out takes its default.
            base.ttl = 1
            base.proxied = false
            base.comment = nil
        }
        switch validated(base, with: body, zone: zone, requireAll: replace) {
        case .failure(let refusal): return refusal.reply
        case .success(var record):
            if let refusal = clash(record, ignoring: id) { return refusal }
            record.modifiedOn = FakeIDs.now()
            records[index] = record
            return .success(record.json)
        }
    }

    func deleteRecord(_ zone: FakeZone, _ id: String) -> FakeReply {
        guard let index = records.firstIndex(where: { $0.id == id && $0.zoneID == zone.id }) else { return Self.recordMissing }
        records.remove(at: index)
        return .success(["id": id])
    }

    /// A record that may not sit beside the existing ones: an identical one (81057), or an
    /// A/AAAA/CNAME clash at the same name (81053).
    func clash(_ record: FakeRecord, ignoring id: String? = nil) -> FakeReply? {
        let others = records.filter { $0.zoneID == record.zoneID && $0.name == record.name && $0.id != id }
        if others.contains(where: { $0.type == record.type && $0.content == record.content }) {
            return .failure(400, 81057, "Record already exists.")
        }
        let address: Set<String> = ["A", "AAAA", "CNAME"]
        if address.contains(record.type), others.contains(where: { address.contains($0.type) && ($0.type == "CNAME" || record.type == "CNAME") }) {
            return .failure(400, 81053, "An A, AAAA, or CNAME record with that host already exists.")
        }
        return nil
    }

    /// Applies a request body to a record and checks it as Cloudflare does.
    func validated(_ base: FakeRecord, with body: [String: Any], zone: FakeZone, requireAll: Bool) -> Result<FakeRecord, Refusal> {
        var record = base
        if let type = body["type"] as? String { record.type = type.uppercased() }
        if let name = body["name"] as? String { record.name = Self.qualified(name, zone: zone.name) }
        if let content = body["content"] as? String { record.content = content }
        if let ttl = body["ttl"] as? Int { record.ttl = ttl }
        if let proxied = body["proxied"] as? Bool { record.proxied = proxied }
        if body.keys.contains("comment") { record.comment = body["comment"] as? String }
        if requireAll {
            for field in ["type", "name", "content"] where body[field] == nil {
                return .failure(Refusal(.failure(400, 1004, "DNS Validation Error", chain: [(9000, "\(field) is required")])))
            }
        }
        guard Self.supportedTypes.contains(record.type) else {
            return .failure(Refusal(.failure(400, 1004, "DNS Validation Error", chain: [(9020, "Invalid DNS record type")])))
        }
        guard record.name == zone.name || record.name.hasSuffix("." + zone.name) else {
            return .failure(Refusal(.failure(400, 1004, "DNS Validation Error", chain: [(9003, "Name is not in the zone \(zone.name)")])))
        }
        switch record.type {
        case "A" where !Self.isIPv4(record.content):
            return .failure(Refusal(.failure(400, 9005, "Content for A record must be a valid IPv4 address.")))
        case "AAAA" where !record.content.contains(":"):
            return .failure(Refusal(.failure(400, 9006, "Content for AAAA record must be a valid IPv6 address.")))
        case "CNAME" where record.content.isEmpty || record.content.contains(" "):
            return .failure(Refusal(.failure(400, 9007, "Content for CNAME record is invalid.")))
        default:
            break
        }
        if record.proxied && !record.proxiable { return .failure(Refusal(.failure(400, 9004, "This record type cannot be proxied."))) }
        guard record.ttl == 1 || (30...86400).contains(record.ttl) else {
            return .failure(Refusal(.failure(400, 9021, "Invalid TTL. Must be between 30 and 86400 seconds, or 1 for Automatic.")))
        }
        if record.proxied { record.ttl = 1 }
        if let comment = record.comment, comment.count > 100 {
            return .failure(Refusal(.failure(400, 9102, "Comment is too long (at most 100 characters on this plan).")))
        }
        return .success(record)
    }

    /// An error answer carried through `Result`.
    struct Refusal: Error {
        let reply: FakeReply
        init(_ reply: FakeReply) { self.reply = reply }
    }

    /// `@` is the zone itself; a name not ending in the zone is taken as relative to it.
    static func qualified(_ name: String, zone: String) -> String {
        var name = name.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name == "@" || name.isEmpty { return zone }
        return name == zone || name.hasSuffix("." + zone) ? name : name + "." + zone
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in Int(part).map { (0...255).contains($0) && String($0) == part } ?? false }
    }

    static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
