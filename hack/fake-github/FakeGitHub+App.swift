import Foundation
import JWTKit

/// The GitHub App API: installation tokens for a JWT signed with the App's key, and deployments
/// with their statuses for a valid installation token. Tests register the App first
/// (`POST /__admin/app`) and read what was posted at `GET /__admin/deployments`.
extension FakeGitHub {
    /// The App as registered: its id and the public half of its key.
    struct RegisteredApp: Sendable {
        let id: String
        let keys: JWTKeyCollection
    }

    /// An installation token handed out.
    struct IssuedToken: Sendable {
        let installation: Int64
        let expiresAt: Date
    }

    /// A deployment as posted, with its statuses in order.
    struct Deployment: Sendable {
        let id: Int64
        let repo: String
        let ref: String
        let environment: String
        let body: Data
        var statuses: [Data] = []
    }

    /// `POST /__admin/app {"id": N, "public_key": PEM}`: the App whose JWTs are accepted.
    func registerApp(_ json: [String: Any]) async -> Reply {
        guard let id = (json["id"] as? Int).map(String.init) ?? json["id"] as? String,
              let pem = json["public_key"] as? String, let key = try? Insecure.RSA.PublicKey(pem: pem)
        else { return .json(["error": "needs id and public_key (an RSA public key PEM)"], status: 400) }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        app = RegisteredApp(id: id, keys: keys)
        return .json(["id": id])
    }

    /// `GET /__admin/deployments`: every deployment and its statuses.
    func deploymentsReport() -> Reply {
        let items: [[String: Any]] = deployments.map { deployment in
            var object = (try? JSONSerialization.jsonObject(with: deployment.body)) as? [String: Any] ?? [:]
            object["id"] = deployment.id
            object["repo"] = deployment.repo
            object["statuses"] = deployment.statuses.map { (try? JSONSerialization.jsonObject(with: $0)) ?? [:] }
            return object
        }
        return .json(["deployments": items, "tokens_issued": tokensIssued])
    }

    /// The App API's routes; nil for paths it does not serve.
    func appEndpoint(_ call: Call) async -> Reply? {
        let parts = call.path.split(separator: "/").map(String.init)
        switch (call.method, parts.count) {
        case ("POST", 4) where parts[0] == "app" && parts[1] == "installations" && parts[3] == "access_tokens":
            guard let installation = Int64(parts[2]) else { return notFound() }
            return await accessToken(call, installation: installation)
        case ("POST", 4) where parts[0] == "repos" && parts[3] == "deployments":
            guard let refused = checkToken(call) else { return createDeployment(call, repo: "\(parts[1])/\(parts[2])") }
            return refused
        case ("POST", 6) where parts[0] == "repos" && parts[3] == "deployments" && parts[5] == "statuses":
            if let refused = checkToken(call) { return refused }
            return createStatus(call, repo: "\(parts[1])/\(parts[2])", deployment: Int64(parts[4]) ?? 0)
        default:
            return nil
        }
    }

    /// Checks the App JWT (signature with the registered key, `iss`, `exp` in the future and at
    /// most 10 minutes ahead) and answers a new `ghs_` token.
    func accessToken(_ call: Call, installation: Int64) async -> Reply {
        guard let app else { return .json(["message": "No App is registered with the stand-in"], status: 401) }
        guard let jwt = call.bearer else { return .json(["message": "A JSON web token is required"], status: 401) }
        let claims: AppJWTClaims
        do {
            claims = try await app.keys.verify(jwt, as: AppJWTClaims.self)
        } catch {
            return .json(["message": "A JSON web token could not be decoded: \(error)"], status: 401)
        }
        let now = Date()
        guard claims.iss.value == app.id else { return .json(["message": "'Issuer' claim ('iss') must be the App id"], status: 401) }
        guard claims.exp.value > now, claims.exp.value <= now.addingTimeInterval(600) else {
            return .json(["message": "'Expiration time' claim ('exp') is too far in the future or in the past"], status: 401)
        }
        tokensIssued += 1
        let token = "ghs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let expiresAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + tokenLifetime).rounded(.down))
        tokens[token] = IssuedToken(installation: installation, expiresAt: expiresAt)
        return .json(["token": token, "expires_at": ISO8601DateFormatter().string(from: expiresAt), "permissions": ["deployments": "write"]], status: 201)
    }

    /// Nil when the call carries a known, unexpired installation token; else the 401.
    func checkToken(_ call: Call) -> Reply? {
        guard let token = call.bearer, let issued = tokens[token], issued.expiresAt > Date() else {
            return .json(["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"], status: 401)
        }
        return nil
    }

    func createDeployment(_ call: Call, repo: String) -> Reply {
        let json = call.json
        guard let ref = json["ref"] as? String, !ref.isEmpty else { return .json(["message": "ref is required"], status: 422) }
        let environment = json["environment"] as? String ?? "production"
        nextDeploymentID += 1
        deployments.append(Deployment(id: nextDeploymentID, repo: repo, ref: ref, environment: environment, body: call.body))
        return .json(["id": nextDeploymentID, "ref": ref, "environment": environment, "sha": ref], status: 201)
    }

    func createStatus(_ call: Call, repo: String, deployment id: Int64) -> Reply {
        guard let index = deployments.firstIndex(where: { $0.id == id && $0.repo.lowercased() == repo.lowercased() }) else {
            return notFound()
        }
        let json = call.json
        let states = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]
        guard let state = json["state"] as? String, states.contains(state) else { return .json(["message": "state is invalid"], status: 422) }
        if let description = json["description"] as? String, description.count > 140 {
            return .json(["message": "description is too long (maximum is 140 characters)"], status: 422)
        }
        deployments[index].statuses.append(call.body)
        return .json(["id": deployments[index].statuses.count, "state": state], status: 201)
    }

    func notFound() -> Reply {
        .json(["message": "Not Found", "documentation_url": "https://docs.github.com/rest"], status: 404)
    }
}

/// The claims the stand-in checks in an App JWT.
struct AppJWTClaims: JWTPayload {
    var iss: IssuerClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
