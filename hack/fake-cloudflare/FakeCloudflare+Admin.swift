import Foundation
import StandInKit

/// `/__admin/...`: how tests seed and steer the stand-in (no token needed; it listens on 127.0.0.1 only).
/// - `POST /__admin/tokens {"token"}`: accept a token.
/// - `POST /__admin/zones {"name", "status"?}`: add a zone; answers it with its id.
/// - `GET /__admin/records`: every record of every zone.
/// - `POST /__admin/faults {"status"?, "retry_after"?, "delay_ms"?, "count"?, "method"?, "path_contains"?}`:
///   the next `count` matching API calls fail (or are slow); `DELETE /__admin/faults` clears them.
/// - `GET /__admin/stats`: API calls received, mutations applied, faults served.
extension FakeCloudflare {
    func admin(_ call: Call) -> FakeReply {
        let body = Self.object(call.body) ?? [:]
        switch (call.method, call.path) {
        case ("POST", "/__admin/tokens"):
            guard let token = body["token"] as? String else { return .plain(["error": "token is required"], status: 400) }
            tokens.insert(token)
            return .plain(["token": "accepted"])
        case ("POST", "/__admin/zones"):
            guard let name = (body["name"] as? String)?.lowercased(), !name.isEmpty else {
                return .plain(["error": "name is required"], status: 400)
            }
            return .plain(addZone(name, status: body["status"] as? String ?? "active").json)
        case ("GET", "/__admin/records"):
            return .plain(records.map(\.json))
        case ("POST", "/__admin/faults"):
            guard let fault = Fault(json: body) else { return .plain(["error": "a fault needs a status or delay_ms, and count > 0"], status: 400) }
            faults.append(fault)
            return .plain(["faults": faults.count])
        case ("DELETE", "/__admin/faults"):
            faults.removeAll()
            return .plain(["faults": 0])
        case ("GET", "/__admin/stats"):
            return .plain([
                "requests": stats.requests, "mutations": stats.mutations, "rate_limited": stats.rateLimited,
                "server_errors": stats.serverErrors, "delayed": stats.delayed, "faults_pending": faults.reduce(0) { $0 + $1.count },
            ])
        default:
            return .plain(["error": "no such admin call"], status: 404)
        }
    }

    /// Adds a zone (or returns the existing one of that name).
    @discardableResult
    func addZone(_ name: String, status: String = "active") -> FakeZone {
        if let existing = zones.first(where: { $0.name == name }) { return existing }
        let zone = FakeZone(id: FakeIDs.make(), name: name, status: status, createdOn: FakeIDs.now())
        zones.append(zone)
        return zone
    }
}
