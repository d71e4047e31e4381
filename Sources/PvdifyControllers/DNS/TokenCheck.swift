import Logging
import PvdifyDrivers

/// Whether Cloudflare accepts the token: checked at start-up (the first resync) and, while it is not
/// accepted, at every resync, so a fixed token is picked up and a bad one is said plainly once.
actor TokenCheck {
    /// What is known about the token.
    enum State: Sendable, Equatable {
        case unchecked
        case valid
        case invalid(String)
    }

    private(set) var state: State = .unchecked
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// The token's state, asking Cloudflare when it is unchecked, or (with `recheck`, at resyncs)
    /// whenever it is not known to be valid. Throws when Cloudflare cannot be reached (the state
    /// stays as it was).
    func check(_ client: CloudflareClient, recheck: Bool = false) async throws -> State {
        if state == .valid || (state != .unchecked && !recheck) { return state }
        let next: State
        do {
            let token = try await client.verifyToken()
            next = token.isActive ? .valid : .invalid("the token is \(token.status)")
        } catch let error as CloudflareError where error.isAuthentication {
            // Account-owned tokens cannot use /user/tokens/verify; one that can list zones is good enough.
            next = (try? await client.zones()) != nil ? .valid : .invalid(error.summary)
        }
        record(next)
        return next
    }

    private func record(_ next: State) {
        guard next != state else { return }
        switch next {
        case .valid:
            logger.info("cloudflare: API token verified; managing DNS records of custom domains")
        case .invalid(let why):
            logger.error(
                "cloudflare: CLOUDFLARE_API_TOKEN is invalid; no DNS record is changed until it is fixed",
                metadata: ["reason": "\(why)"])
        case .unchecked:
            break
        }
        state = next
    }
}
