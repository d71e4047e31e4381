import Foundation
import PvdifyDrivers

extension Daemon {
    /// Fetches the OIDC issuer's configuration or JWKS: 5 s at most, 256 KiB at most, a 2xx answer only.
    @Sendable static func fetchIssuerDocument(_ url: URL) async throws -> Data {
        let answer = try await HTTPExecutor().send(
            HTTPCall(method: "GET", url: url.absoluteString, headers: [("Accept", "application/json")]),
            timeout: .seconds(5), maxBodyBytes: 256 << 10)
        guard (200..<300).contains(answer.status) else { throw IssuerAnswer(status: answer.status) }
        return answer.body
    }

    /// A non-2xx answer from the issuer.
    struct IssuerAnswer: Error {
        let status: Int
    }
}
