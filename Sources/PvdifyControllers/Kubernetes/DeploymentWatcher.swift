import Logging
import PvdifyDrivers
import PvdifyModel

/// Follows the Deployments pvdify manages in its namespace and names the app of each change, so a
/// status change (pods ready, a rollout stuck) or a hand edit wakes that app's pass. It lists
/// once, then watches from the list's resource version; a watch the server ends is started again
/// from the last version seen, and a version the server no longer has (410 Gone) means listing
/// again. Any other failure ends the stream, and the runner starts it again with backoff.
struct DeploymentWatcher: Sendable {
    let client: KubernetesClient
    let logger: Logger

    /// App names, as their Deployments change.
    func apps() -> AsyncStream<String> {
        let client = self.client, logger = self.logger
        let selector = KubernetesRequests.selector()
        return AsyncStream { continuation in
            let task = Task {
                func app(_ object: JSONValue) -> String? {
                    object["metadata"]?["labels"]?[KubernetesNames.nameLabel]?.stringValue
                }
                listing: while !Task.isCancelled {
                    do {
                        let listed = try await client.list(.deployment, labelSelector: selector)
                        for name in Set(listed.items.compactMap(app)) { continuation.yield(name) }
                        var version = listed.resourceVersion
                        while !Task.isCancelled {
                            for try await event in client.watch(.deployment, labelSelector: selector, resourceVersion: version) {
                                if let seen = event.object["metadata"]?["resourceVersion"]?.stringValue { version = seen }
                                if let name = app(event.object) { continuation.yield(name) }
                            }
                            // A server that ends watches at once must not be called in a tight loop.
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    } catch let error as KubernetesError where error.isGone {
                        logger.info("kubernetes: the watch's resource version is gone; listing again")
                        continue listing
                    } catch {
                        logger.warning("kubernetes: watching Deployments failed", metadata: ["error": "\(error)"])
                        break listing
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
