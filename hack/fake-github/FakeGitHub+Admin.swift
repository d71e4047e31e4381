import Foundation

/// Calls for tests under `/__admin`:
/// - `POST /__admin/oidc/mint {"claims"?: {...}, "signer"?: "current"|"foreign", "kid"?: "..."}`:
///   `{"token": JWT}` (see `mint`).
/// - `POST /__admin/oidc/rotate`: a new signing key replaces the published one; `{"kid": new}`.
/// - `POST /__admin/faults {...}` (see `Fault`); `DELETE /__admin/faults` clears them.
/// - `GET /__admin/stats`: calls received per path.
extension FakeGitHub {
    func admin(_ call: Call) async throws -> Reply {
        switch (call.method, call.path) {
        case ("POST", "/__admin/oidc/mint"):
            let body = call.json
            let token = try await mint(
                claims: body["claims"] as? [String: Any] ?? [:], baseURL: call.baseURL, signer: body["signer"] as? String ?? "current",
                kid: body["kid"] as? String)
            return .json(["token": token])
        case ("POST", "/__admin/oidc/rotate"):
            try oidc.rotate()
            return .json(["kid": oidc.current.id])
        case ("POST", "/__admin/faults"):
            guard let fault = Fault(json: call.json) else { return .json(["error": "a fault needs a status or delay_ms, and count > 0"], status: 400) }
            faults.append(fault)
            return .json(["faults": faults.count])
        case ("DELETE", "/__admin/faults"):
            faults.removeAll()
            return .json(["faults": 0])
        case ("GET", "/__admin/stats"):
            return .json(["hits": hits])
        default:
            return .json(["error": "no admin route \(call.method) \(call.path)"], status: 404)
        }
    }
}
