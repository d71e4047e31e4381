import Foundation
import JWTKit

/// The claims pvdify reads from a GitHub Actions OIDC token. Signature and key checks are done by
/// `JWTKeyCollection`; the time, issuer and audience checks are done by `GitHubOIDCVerifier`
/// after the signature holds, so that each refusal can name its reason.
struct GitHubOIDCClaims: JWTPayload {
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    /// `owner/name` of the repository the workflow runs in.
    var repository: String?
    /// The git ref of the run, like `refs/heads/main`.
    var ref: String?
    /// The GitHub environment of the job, if it has one.
    var environment: String?
    /// The workflow run and its attempt, for the audit log.
    var runID: String?
    var runAttempt: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, exp, nbf, iat, repository, ref, environment
        case runID = "run_id"
        case runAttempt = "run_attempt"
    }

    /// Nothing here: `GitHubOIDCVerifier.checkClaims` checks the claims with the reasons it answers.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
