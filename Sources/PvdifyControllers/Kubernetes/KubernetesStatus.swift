import PvdifyDrivers
import PvdifyModel

/// The app status users see, computed from the Deployments' rollouts: the same phase, process
/// counts and conditions the Podman runtime writes. Routing is the cluster's Ingress, so there
/// are no upstreams.
enum KubernetesStatus {
    /// - Parameters:
    ///   - rollouts: by process type, as the last apply returned them.
    ///   - rollingOut: the release rolling out, if one is.
    ///   - failed: the newest release, if it failed (the app keeps serving an earlier one).
    static func change(
        generation: Int, hasRelease: Bool, rollouts: [String: DeploymentRollout], rollingOut: Int?, failed: Int?
    ) -> @Sendable (inout AppStatus) -> Void {
        let phase = phase(hasRelease: hasRelease, rollouts: rollouts, rollingOut: rollingOut != nil)
        let processes = rollouts.mapValues { rollout in
            ProcessStatus(
                desired: rollout.desired, running: rollout.ready,
                status: rollout.desired == 0 ? "stopped" : rollout.isComplete ? "running" : "starting")
        }
        return { status in
            status.observedGeneration = generation
            status.phase = phase
            status.processes = processes
            status.upstreams = []
            // `phase` is never `crashed` here: crash loops are not read from pods (see the README).
            status.setReady(for: phase, serving: rollouts.values.contains { $0.ready > 0 }, observedGeneration: generation)
            if let rollingOut {
                status.setCondition(ConditionType.progressing, true, reason: ConditionReason.rollingOut,
                                    message: "rolling out v\(rollingOut)", observedGeneration: generation)
            } else if let failed {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.releaseFailed,
                                    message: "v\(failed) failed; see its deploy log", observedGeneration: generation)
            } else {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.rolloutComplete, observedGeneration: generation)
            }
            status.setCondition(ConditionType.degraded, false, reason: ConditionReason.noCrashes, observedGeneration: generation)
        }
    }

    static func phase(hasRelease: Bool, rollouts: [String: DeploymentRollout], rollingOut: Bool) -> AppPhase {
        guard hasRelease else { return .pending }
        if rollingOut { return .deploying }
        if !rollouts.isEmpty, rollouts.values.allSatisfy({ $0.desired == 0 }) { return .stopped }
        return rollouts.values.allSatisfy(\.isComplete) ? .running : .deploying
    }
}
