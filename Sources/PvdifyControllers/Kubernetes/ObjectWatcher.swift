import Logging
import PvdifyDrivers
import PvdifyModel

/// Follows the objects of one kind that pvdify manages in its namespace: keeps `cache` current
/// and names the app of each change, so a status change (pods ready, a rollout stuck) or a hand
/// edit wakes that app's pass. It lists once, then watches from the list's resource version; a
/// watch the server ends is started again from the last version seen, and a version the server
/// no longer has (410 Gone) means listing again. Any other failure ends the stream (the cache
/// then says this kind is not known), and the runner starts it again with backoff.
struct ObjectWatcher: Sendable {
    let resource: KubernetesResource
    let client: KubernetesClient
    let cache: KubernetesObjectCache
    let logger: Logger

    /// App names, as their objects change.
    func apps() -> AsyncStream<String> {
        let resource = self.resource, client = self.client, cache = self.cache, logger = self.logger
        let selector = KubernetesRequests.selector()
        return AsyncStream { continuation in
            let task = Task {
                listing: while !Task.isCancelled {
                    do {
                        let listed = try await client.list(resource, labelSelector: selector)
                        await cache.replace(resource.kind, with: listed.items)
                        for name in Set(listed.items.compactMap(KubernetesObjectCache.app)) { continuation.yield(name) }
                        var version = listed.resourceVersion
                        while !Task.isCancelled {
                            for try await event in client.watch(resource, labelSelector: selector, resourceVersion: version) {
                                if let seen = event.object["metadata"]?["resourceVersion"]?.stringValue { version = seen }
                                await cache.record(event, kind: resource.kind)
                                if let name = KubernetesObjectCache.app(event.object) { continuation.yield(name) }
                            }
                            // A server that ends watches at once must not be called in a tight loop.
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    } catch let error as KubernetesError where error.isGone {
                        logger.info("kubernetes: the watch's resource version is gone; listing again", metadata: ["kind": "\(resource.kind)"])
                        continue listing
                    } catch {
                        if Task.isCancelled { break listing }
                        logger.warning("kubernetes: watching failed", metadata: ["kind": "\(resource.kind)", "error": "\(error)"])
                        break listing
                    }
                }
                await cache.forget(resource.kind)
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
