import Foundation
import Logging
import Prometheus
import PvdifyStore
import ServiceLifecycle
import Synchronization

/// Takes and renews this replica's lease on leadership among the pvdifyd replicas that share one
/// PostgreSQL database. While it leads, the store's status writes carry the lease's fencing token.
/// A leader that finds the lease taken, or cannot renew it before it expires, stops with
/// `LeadershipLost`: pvdifyd exits, and comes back (under its supervisor) as a follower.
public final class LeaderElector: Service, Sendable {
    /// This replica's name in the lease.
    public let holder: String
    let store: Store
    let leaseDuration: TimeInterval
    let renewInterval: Duration
    let logger: Logger
    let gauge: Gauge?
    private let leading = Atomic<Bool>(false)

    /// Thrown when a leader loses the lease; `holder` is who has it now (nil: unknown).
    public struct LeadershipLost: Error, CustomStringConvertible {
        public let holder: String?
        public var description: String { "lost the leader lease" + (holder.map { " to \($0)" } ?? " (could not renew it in time)") }
    }

    public init(
        store: Store, holder: String, leaseDuration: TimeInterval = 10, renewInterval: Duration = .seconds(3),
        metrics: PrometheusCollectorRegistry? = nil, logger: Logger
    ) {
        self.store = store
        self.holder = holder
        self.leaseDuration = leaseDuration
        self.renewInterval = renewInterval
        self.logger = logger
        gauge = metrics?.makeGauge(
            descriptor: .init(namespace: "pvdify", metricName: "leader", unitName: "", helpText: "1 while this replica leads and runs the reconcilers"))
        gauge?.set(Int64(0))
    }

    /// Whether this replica leads now.
    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    public func run() async throws {
        var lastRenewal: ContinuousClock.Instant?
        do {
            while !Task.isCancelled {
                try await claim(&lastRenewal)
                try await Task.sleep(for: renewInterval)
            }
        } catch is CancellationError {}
        if isLeader {
            leading.store(false, ordering: .releasing)
            gauge?.set(Int64(0))
            // The run was cancelled (shutdown); the release must still reach the database.
            let (store, holder) = (store, holder)
            try? await Task { try await store.releaseLeadership(holder: holder) }.value
            logger.info("leader lease released", metadata: ["holder": "\(holder)"])
        }
    }

    /// One claim or renewal, and what it means for this replica.
    func claim(_ lastRenewal: inout ContinuousClock.Instant?) async throws {
        let lease: LeaderLease
        do {
            lease = try await store.claimLeadership(holder: holder, for: leaseDuration)
        } catch {
            logger.warning("leader lease not renewed", metadata: ["error": "\(error)"])
            if isLeader, let last = lastRenewal, ContinuousClock.now - last >= .seconds(leaseDuration) {
                try depose(nil)
            }
            return
        }
        if lease.holder == holder {
            lastRenewal = .now
            if !isLeader {
                store.fence(with: lease.token)
                leading.store(true, ordering: .releasing)
                gauge?.set(Int64(1))
                logger.notice("this replica leads", metadata: ["holder": "\(holder)", "fencing_token": "\(lease.token)"])
            }
        } else if isLeader {
            try depose(lease.holder)
        }
    }

    private func depose(_ successor: String?) throws {
        leading.store(false, ordering: .releasing)
        gauge?.set(Int64(0))
        logger.error("leader lease lost", metadata: ["holder": "\(holder)", "successor": "\(successor ?? "unknown")"])
        throw LeadershipLost(holder: successor)
    }
}
