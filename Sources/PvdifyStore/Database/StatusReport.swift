import PvdifyModel

/// What one reconcile pass learned about one app: its status fields, deploy-log lines, release and
/// domain states. A pass collects it and the store writes it in one transaction at the end (Flux's
/// deferred status patch), and only what really changes.
public struct StatusReport: Sendable {
    /// A domain's state as routing observed it.
    public struct DomainState: Sendable, Equatable {
        public var name: String
        public var status: DomainStatus
        public var ssl: Bool
        public var message: String?

        public init(name: String, status: DomainStatus, ssl: Bool, message: String?) {
            self.name = name
            self.status = status
            self.ssl = ssl
            self.message = message
        }
    }

    /// The app reported on.
    public var app: String
    /// Changes the fields of the app's status this reconciler owns; nil leaves the status alone.
    public var status: (@Sendable (inout AppStatus) -> Void)?
    /// Deploy-log lines, in order, each with its release.
    public var releaseLog: [(version: Int, line: String)] = []
    /// Release states observed, in order.
    public var releaseStatuses: [(version: Int, status: ReleaseStatus)] = []
    /// Domain states observed by routing.
    public var domainStates: [DomainState] = []
    /// DNS reports of domains (nil clears one).
    public var domainDNS: [(name: String, dns: DomainDNS?)] = []
    /// Domains whose verification TXT record was confirmed with the token: `verifying` becomes `active`.
    public var verified: [(name: String, token: String)] = []

    public init(app: String) { self.app = app }

    /// Adds a line to a release's deploy log.
    public mutating func log(_ version: Int, _ line: String) { releaseLog.append((version, line)) }

    /// Records a release's state.
    public mutating func setRelease(_ version: Int, _ status: ReleaseStatus) { releaseStatuses.append((version, status)) }

    /// Whether the report holds anything besides the status change.
    var hasRecords: Bool {
        !releaseLog.isEmpty || !releaseStatuses.isEmpty || !domainStates.isEmpty || !domainDNS.isEmpty || !verified.isEmpty
    }
}
