import Hummingbird
import NIOCore
import PvdifyModel

/// Per-request state: who is calling (set by `RequestGate`) and from where.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated token; nil only on routes without a scope (health, source webhooks).
    public var token: APIToken?
    /// The rate-limit bucket of this request (token id, or client address).
    public var rateLimitKey: String = ""
    public let remoteAddress: String?
    /// What the handler reports back to the request gate (releases made, apps named).
    let record = RequestRecord()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The token's name, recorded as `created_by`.
    var actor: String { token?.name ?? "anonymous" }
}
