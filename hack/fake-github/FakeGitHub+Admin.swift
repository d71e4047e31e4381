import Foundation
import StandInKit

/// Calls for tests under `/__admin`:
/// - `POST /__admin/oidc/mint {"claims"?: {...}, "signer"?: "current"|"foreign", "kid"?: "..."}`:
///   `{"token": JWT}` (see `mint`).
/// - `POST /__admin/oidc/rotate`: a new signing key replaces the published one; `{"kid": new}`.
/// - `POST /__admin/faults {...}` (see `Fault`); `DELETE /__admin/faults` clears them.
/// - `GET /__admin/stats`: calls received per path.
/// - `POST /__admin/app {"id", "public_key"}`: the GitHub App whose JWTs are accepted.
/// - `POST /__admin/app/token-lifetime {"seconds": N}`: how long new installation tokens last.
/// - `DELETE /__admin/app/tokens`: every installation token handed out stops working.
/// - `GET /__admin/deployments`: the deployments posted, each with its statuses.
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
        case ("POST", "/__admin/app"):
            return await registerApp(call.json)
        case ("POST", "/__admin/app/token-lifetime"):
            guard let seconds = call.json["seconds"] as? Int, seconds > 0 else { return .json(["error": "seconds > 0"], status: 400) }
            tokenLifetime = TimeInterval(seconds)
            return .json(["seconds": seconds])
        case ("DELETE", "/__admin/app/tokens"):
            tokens.removeAll()
            return .json(["tokens": 0])
        case ("GET", "/__admin/deployments"):
            return deploymentsReport()
        default:
            return .json(["error": "no admin route \(call.method) \(call.path)"], status: 404)
        }
    }
}
