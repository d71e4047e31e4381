import Foundation
import StandInKit

/// The state of a Cloudflare stand-in (one account: tokens, zones, DNS records) and its answers to
/// API v4 calls under `/client/v4`, following Cloudflare's documented shapes: the envelope, paging,
/// list filters, and the error codes of real answers. Admin calls under `/__admin` seed it, switch
/// faults on and report what it received.
actor FakeCloudflare {
    /// One incoming call, reduced to what the stand-in looks at.
    struct Call: Sendable {
        var method: String
        var path: String
        var query: [(String, String)]
        var authorization: String?
        var body: Data
    }

    static let apiPrefix = "/client/v4"
    var tokens: Set<String>
    var zones: [FakeZone] = []
    var records: [FakeRecord] = []
    var faults: [Fault] = []
    var stats = Stats()

    /// What the stand-in has received, for tests.
    struct Stats: Sendable {
        var requests = 0
        var mutations = 0
        var rateLimited = 0
        var serverErrors = 0
        var delayed = 0
    }

    init(tokens: [String]) { self.tokens = Set(tokens) }

    /// The fault the next API call meets, if any (consumed here).
    func takeFault(method: String, path: String) -> Fault? {
        guard path.hasPrefix(Self.apiPrefix), let fault = faults.take(method: method, path: path) else { return nil }
        if fault.delayMilliseconds > 0 { stats.delayed += 1 }
        if fault.status == 429 { stats.rateLimited += 1 } else if fault.status != nil { stats.serverErrors += 1 }
        return fault
    }

    /// Answers one call (after any fault's delay).
    func respond(_ call: Call) -> FakeReply {
        if call.path.hasPrefix("/__admin/") { return admin(call) }
        guard call.path.hasPrefix(Self.apiPrefix) else { return .failure(404, 7000, "No route for that URI") }
        stats.requests += 1
        let path = String(call.path.dropFirst(Self.apiPrefix.count))
        let segments = path.split(separator: "/").map(String.init)
        if segments == ["user", "tokens", "verify"], call.method == "GET" { return verify(call) }
        if let refusal = authenticate(call) { return refusal }
        let reply = route(call, segments)
        if call.method != "GET", reply.status < 400 { stats.mutations += 1 }
        return reply
    }

    private func route(_ call: Call, _ segments: [String]) -> FakeReply {
        switch (call.method, segments.count) {
        case ("GET", 1) where segments[0] == "zones":
            return listZones(call)
        case ("GET", 2) where segments[0] == "zones":
            return zone(segments[1]).map { .success($0.json) } ?? unroutable(call)
        case (_, 3) where segments[0] == "zones" && segments[2] == "dns_records":
            guard let zone = zone(segments[1]) else { return unroutable(call) }
            switch call.method {
            case "GET": return listRecords(zone, call)
            case "POST": return createRecord(zone, call)
            default: return .failure(405, 10405, "Method not allowed for this endpoint")
            }
        case (_, 4) where segments[0] == "zones" && segments[2] == "dns_records":
            guard let zone = zone(segments[1]), FakeIDs.isWellFormed(segments[3]) else { return unroutable(call) }
            switch call.method {
            case "GET": return record(zone, segments[3]).map { .success($0.json) } ?? Self.recordMissing
            case "PUT": return updateRecord(zone, segments[3], call, replace: true)
            case "PATCH": return updateRecord(zone, segments[3], call, replace: false)
            case "DELETE": return deleteRecord(zone, segments[3])
            default: return .failure(405, 10405, "Method not allowed for this endpoint")
            }
        default:
            return .failure(400, 7000, "No route for that URI")
        }
    }

    // MARK: - Tokens

    /// Missing header 9106, malformed 6003/6111, unknown token 10000 (403).
    private func authenticate(_ call: Call) -> FakeReply? {
        switch tokenOf(call) {
        case .missing: return .failure(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
        case .malformed: return Self.malformedHeader
        case .unknown: return .failure(403, 10000, "Authentication error")
        case .known: return nil
        }
    }

    /// `GET /user/tokens/verify`: the token's status; an unknown token is 9109 (401).
    private func verify(_ call: Call) -> FakeReply {
        switch tokenOf(call) {
        case .missing: return .failure(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
        case .malformed: return Self.malformedHeader
        case .unknown: return .failure(401, 9109, "Invalid access token")
        case .known(let token):
            let id = String(token.utf8.reduce(into: UInt64(1469598103934665603)) { $0 = ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 16)
            return .success(
                ["id": id, "status": "active"], messages: [["code": 10000, "message": "This API Token is valid and active", "type": NSNull()]])
        }
    }

    /// What the Authorization header carries.
    enum TokenCheck { case missing, malformed, unknown, known(String) }

    private func tokenOf(_ call: Call) -> TokenCheck {
        guard let header = call.authorization else { return .missing }
        guard header.hasPrefix("Bearer ") else { return .malformed }
        let token = String(header.dropFirst("Bearer ".count))
        guard !token.isEmpty, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), token.allSatisfy(\.isASCII) else {
            return .malformed
        }
        return tokens.contains(token) ? .known(token) : .unknown
    }

    static let malformedHeader = FakeReply.failure(
        400, 6003, "Invalid request headers", chain: [(6111, "Invalid format for Authorization header")])

    // MARK: - Zones

    private func listZones(_ call: Call) -> FakeReply {
        var matching = zones
        for (key, value) in call.query {
            switch key {
            case "name": matching = matching.filter { $0.name == value.lowercased() }
            case "status": matching = matching.filter { $0.status == value }
            default: break
            }
        }
        return page(matching.map(\.json), call, defaultPerPage: 20, maxPerPage: 50)
    }

    func zone(_ id: String) -> FakeZone? { zones.first { $0.id == id } }

    private func unroutable(_ call: Call) -> FakeReply {
        .failure(400, 7003, "Could not route to \(call.path), perhaps your object identifier is invalid?")
    }

    // MARK: - Paging

    /// One page of `items` by `page` and `per_page`, with Cloudflare's `result_info`.
    func page(_ items: [[String: Any]], _ call: Call, defaultPerPage: Int, maxPerPage: Int) -> FakeReply {
        let query = Dictionary(call.query, uniquingKeysWith: { _, last in last })
        let perPage = min(max(Int(query["per_page"] ?? "") ?? defaultPerPage, 5), maxPerPage)
        let page = max(Int(query["page"] ?? "") ?? 1, 1)
        let start = min((page - 1) * perPage, items.count)
        let slice = Array(items[start..<min(start + perPage, items.count)])
        let totalPages = items.isEmpty ? 0 : (items.count + perPage - 1) / perPage
        return .success(
            slice, info: ["page": page, "per_page": perPage, "count": slice.count, "total_count": items.count, "total_pages": totalPages])
    }
}
