import PvdifyDrivers
import PvdifyModel
import Testing

@testable import PvdifyControllers

@Suite struct DeploymentRolloutTests {
    func deployment(
        replicas: Int = 2, generation: Int = 3, observed: Int = 3, updated: Int = 2, total: Int = 2, ready: Int = 2, available: Int = 2,
        progressing: String? = "NewReplicaSetAvailable"
    ) -> JSONValue {
        var conditions: [JSONValue] = []
        if let progressing {
            conditions.append(["type": "Progressing", "status": progressing == "ProgressDeadlineExceeded" ? "False" : "True",
                               "reason": .string(progressing), "message": "ReplicaSet \"shop-web-1\" has timed out progressing."])
        }
        return [
            "metadata": ["generation": .int(generation)],
            "spec": ["replicas": .int(replicas)],
            "status": [
                "observedGeneration": .int(observed), "replicas": .int(total), "updatedReplicas": .int(updated),
                "readyReplicas": .int(ready), "availableReplicas": .int(available), "conditions": .array(conditions),
            ],
        ]
    }

    @Test func completeWhenEveryReplicaRunsTheLatestTemplate() {
        let rollout = DeploymentRollout(deployment())
        #expect(rollout.state == .complete)
        #expect(rollout.desired == 2)
        #expect(rollout.ready == 2)
    }

    @Test(arguments: [
        ("not observed yet", 3, 2, 2, 2, 2),
        ("new pods missing", 3, 3, 1, 2, 2),
        ("old pods still there", 3, 3, 2, 3, 2),
        ("new pods not available", 3, 3, 2, 2, 1),
    ])
    func progressing(_ what: String, generation: Int, observed: Int, updated: Int, total: Int, available: Int) {
        let rollout = DeploymentRollout(deployment(
            generation: generation, observed: observed, updated: updated, total: total, available: available, progressing: "ReplicaSetUpdated"))
        #expect(rollout.state == .progressing, "\(what)")
    }

    @Test func failedPastTheProgressDeadline() {
        let rollout = DeploymentRollout(deployment(updated: 1, total: 3, ready: 2, available: 2, progressing: "ProgressDeadlineExceeded"))
        #expect(rollout.failure?.contains("ProgressDeadlineExceeded") == true)
        #expect(rollout.failure?.contains("timed out progressing") == true)
        // The old pods keep serving.
        #expect(rollout.ready == 2)
    }

    @Test func anOldFailureDoesNotCountForANewGeneration() {
        let rollout = DeploymentRollout(deployment(generation: 4, observed: 3, progressing: "ProgressDeadlineExceeded"))
        #expect(rollout.state == .progressing)
    }

    @Test func scaledToZeroIsComplete() {
        let rollout = DeploymentRollout(deployment(replicas: 0, updated: 0, total: 0, ready: 0, available: 0))
        #expect(rollout.isComplete)
    }

    @Test func statusPhases() {
        let complete = DeploymentRollout(deployment())
        let rolling = DeploymentRollout(deployment(observed: 2))
        let zero = DeploymentRollout(deployment(replicas: 0, updated: 0, total: 0, ready: 0, available: 0))
        #expect(KubernetesStatus.phase(hasRelease: false, rollouts: [:], rollingOut: false) == .pending)
        #expect(KubernetesStatus.phase(hasRelease: true, rollouts: ["web": complete], rollingOut: false) == .running)
        #expect(KubernetesStatus.phase(hasRelease: true, rollouts: ["web": rolling], rollingOut: true) == .deploying)
        #expect(KubernetesStatus.phase(hasRelease: true, rollouts: ["web": zero], rollingOut: false) == .stopped)
    }
}
