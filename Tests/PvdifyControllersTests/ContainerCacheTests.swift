import Foundation
import Testing
@testable import PvdifyControllers

@Suite struct ContainerCacheTests {
    func container(_ name: String, running: Bool = true, id: String) -> ObservedContainer {
        ObservedContainer(name: name, app: "web", process: "web", index: 1, release: 1, specHash: "h", hostPort: 10_001, running: running, id: id)
    }

    @Test func eventsKeepItCurrentAndOldNewsOfAnEarlierContainerIsIgnored() async throws {
        let cache = ContainerCache()
        _ = try await cache.refresh { [] }
        #expect(await cache.isSynced)
        let first = container("c", id: "1")
        #expect(await cache.apply(ContainerEvent(action: .create, id: "1", name: "c", container: first)) == "web")
        #expect(await cache.containers(of: "web").first?.running == false)
        #expect(await cache.apply(ContainerEvent(action: .start, id: "1", name: "c", container: first)) == "web")
        #expect(await cache.containers(of: "web").first?.running == true)
        #expect(await cache.apply(ContainerEvent(action: .died, id: "1", name: "c", container: first, exitCode: 1)) == "web")
        #expect(await cache.containers(of: "web").first?.exitCode == 1)

        // Removed and created again under the same name: late events of the first one change nothing.
        await cache.apply(ContainerEvent(action: .remove, id: "1", name: "c", container: nil))
        let second = container("c", id: "2")
        await cache.apply(ContainerEvent(action: .start, id: "2", name: "c", container: second))
        #expect(await cache.apply(ContainerEvent(action: .died, id: "1", name: "c", container: first)) == nil)
        #expect(await cache.apply(ContainerEvent(action: .remove, id: "1", name: "c", container: nil)) == nil)
        #expect(await cache.containers(of: "web").map(\.id) == ["2"])
    }

    @Test func anEventDuringAListIsNotRolledBackByItsAnswer() async throws {
        let cache = ContainerCache()
        let stale = container("c", running: true, id: "1")
        let changed = try await cache.refresh {
            // The container dies while the list is on its way, and the list still shows it running.
            await cache.apply(ContainerEvent(action: .died, id: "1", name: "c", container: stale, exitCode: 137))
            return [stale]
        }
        #expect(changed == ["web"])
        #expect(await cache.containers(of: "web").first?.running == false)
    }

    @Test func aFailedListLeavesItStale() async throws {
        let cache = ContainerCache()
        struct Down: Error {}
        await #expect(throws: Down.self) { try await cache.refresh { throw Down() } }
        #expect(await !cache.isSynced)
        #expect(await cache.lastFailure != nil)
    }
}
