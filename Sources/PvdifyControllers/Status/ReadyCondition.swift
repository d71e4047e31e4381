import PvdifyModel

extension AppStatus {
    /// The `Ready` condition a phase means, the same on every runtime: while deploying (or after a
    /// failed release) the app is ready when something already serves it.
    mutating func setReady(for phase: AppPhase, serving: Bool, observedGeneration generation: Int) {
        switch phase {
        case .running:
            setCondition(ConditionType.ready, true, reason: ConditionReason.allProcessesHealthy, observedGeneration: generation)
        case .stopped:
            setCondition(ConditionType.ready, false, reason: ConditionReason.scaledToZero, observedGeneration: generation)
        case .pending:
            setCondition(ConditionType.ready, false, reason: ConditionReason.noRelease, observedGeneration: generation)
        case .crashed:
            setCondition(ConditionType.ready, false, reason: ConditionReason.instancesCrashed, observedGeneration: generation)
        case .deploying, .failed:
            setCondition(ConditionType.ready, serving, reason: ConditionReason.instancesStarting, observedGeneration: generation)
        }
    }
}
