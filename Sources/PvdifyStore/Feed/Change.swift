/// One change the store announces: which app, and what about it changed. Reconcilers subscribe to
/// the kinds they act on (controller-runtime's predicates), so a change wakes only those it concerns.
public struct Change: Sendable, Hashable {
    /// What about an app changed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The app was created.
        case created
        /// Its spec changed: processes, resources, healthcheck, restarts, environment, labels.
        case spec
        /// A new release (a deploy, a rollback, or a config change on an app with an image).
        case release
        /// A new config version.
        case config
        /// A domain was added, removed, or asked to be verified.
        case domains
        /// Status: the web instances the router should send traffic to.
        case upstreams
        /// Status: the upstreams the router has live now.
        case routed
        /// Status: anything else a reconciler reports (phase, conditions, process counts).
        case status
        /// The app was deleted.
        case deleted
        /// A GitOps source changed or was asked to sync (on `Store.sourceChanges` only, where
        /// `app` holds the source's name).
        case source
    }

    /// The app concerned.
    public var app: String
    /// What about it changed.
    public var kind: Kind

    /// A change of `kind` to `app`.
    public init(_ app: String, _ kind: Kind) {
        self.app = app
        self.kind = kind
    }
}
