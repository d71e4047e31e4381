import PvdifyModel

/// A simulated Deployment controller. When a Deployment's spec changes (a new generation), its
/// status shows the rollout starting while the old pods keep serving; after `readyDelay` every
/// replica runs the new template and is ready. A Deployment whose image contains `:fail` never
/// gets ready: after `progressDeadline` its `Progressing` condition turns `False` with reason
/// `ProgressDeadlineExceeded`, and the old pods keep serving, as Kubernetes keeps the old ReplicaSet.
extension FakeKubernetes {
    /// The image marker of a rollout that never becomes ready.
    static let failMarker = ":fail"

    /// One step of the controller over every Deployment (called every 100 ms).
    func tick() {
        let now = ContinuousClock.now
        for (key, stored) in objects where key.plural == "deployments" {
            let object = stored.object
            let generation = object["metadata"]?["generation"]?.intValue ?? 1
            let replicas = object["spec"]?["replicas"]?.intValue ?? 1
            let old = object["status"] ?? [:]
            var status: JSONValue?
            if old["observedGeneration"]?.intValue != generation {
                let serving = old["readyReplicas"]?.intValue ?? 0
                status = [
                    "observedGeneration": .int(generation), "replicas": .int(serving), "updatedReplicas": 0,
                    "readyReplicas": .int(serving), "availableReplicas": .int(serving),
                    "conditions": [Self.condition("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(key.name)-\(generation)\" is progressing.")],
                ]
                rollouts[key] = now
            } else if let started = rollouts[key] {
                let images = object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.compactMap { $0["image"]?.stringValue } ?? []
                if images.contains(where: { $0.contains(Self.failMarker) }) {
                    guard now - started >= progressDeadline else { continue }
                    var failed = old
                    failed.set(.int(replicas > 0 ? 1 : 0), at: ["updatedReplicas"])
                    failed.set([Self.condition(
                        "Progressing", false, "ProgressDeadlineExceeded",
                        "ReplicaSet \"\(key.name)-\(generation)\" has timed out progressing.")], at: ["conditions"])
                    status = failed
                } else {
                    guard now - started >= readyDelay else { continue }
                    status = [
                        "observedGeneration": .int(generation), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
                        "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
                        "conditions": [
                            Self.condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability."),
                            Self.condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(key.name)-\(generation)\" has successfully progressed."),
                        ],
                    ]
                }
                rollouts[key] = nil
            }
            guard var status else { continue }
            if replicas == 0 { status.remove(at: ["readyReplicas"]) }
            var updated = stored
            updated.object.set(status, at: ["status"])
            _ = commit(key, updated)
        }
    }

    static func condition(_ type: String, _ status: Bool, _ reason: String, _ message: String) -> JSONValue {
        let now = now()
        return [
            "type": .string(type), "status": status ? "True" : "False", "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
        ]
    }
}
