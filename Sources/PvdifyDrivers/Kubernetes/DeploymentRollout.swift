import PvdifyModel

/// Where a Deployment's rollout stands, read from its `status` as `kubectl rollout status` reads it:
/// the controller has not seen the latest spec yet, the rollout went past its progress deadline,
/// new pods are still coming or old ones going, or everything runs the latest template.
public struct DeploymentRollout: Sendable, Equatable {
    /// The rollout's state.
    public enum State: Sendable, Equatable {
        /// Still rolling (or the controller has not observed the latest generation yet).
        case progressing
        /// Every replica runs the latest template and is available.
        case complete
        /// `Progressing` is `False` with reason `ProgressDeadlineExceeded`; the message says why.
        case failed(String)
    }

    /// The state.
    public var state: State
    /// `spec.replicas`.
    public var desired: Int
    /// `status.readyReplicas`: pods passing their readiness probe (of any template).
    public var ready: Int
    /// `status.updatedReplicas`: pods of the latest template.
    public var updated: Int

    /// Reads a Deployment as the API server returns it.
    public init(_ deployment: JSONValue) {
        let status = deployment["status"] ?? .null
        desired = deployment["spec"]?["replicas"]?.intValue ?? 1
        ready = status["readyReplicas"]?.intValue ?? 0
        updated = status["updatedReplicas"]?.intValue ?? 0
        let replicas = status["replicas"]?.intValue ?? 0
        let available = status["availableReplicas"]?.intValue ?? 0
        let generation = deployment["metadata"]?["generation"]?.intValue ?? 0
        let observed = status["observedGeneration"]?.intValue ?? 0
        let progressing = status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
        if observed < generation {
            state = .progressing
        } else if progressing?["reason"]?.stringValue == "ProgressDeadlineExceeded" {
            let message = progressing?["message"]?.stringValue ?? ""
            state = .failed("the rollout did not progress within its deadline (ProgressDeadlineExceeded)" + (message.isEmpty ? "" : ": \(message)"))
        } else if updated < desired || replicas > updated || available < updated {
            state = .progressing
        } else {
            state = .complete
        }
    }

    /// Whether the rollout is done.
    public var isComplete: Bool { state == .complete }

    /// The failure's reason, if it failed.
    public var failure: String? {
        if case .failed(let reason) = state { return reason }
        return nil
    }
}
