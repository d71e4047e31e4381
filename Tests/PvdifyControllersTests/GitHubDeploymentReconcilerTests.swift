import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
@testable import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// GitHub as the reconciler sees it: records every call, and fails while told to.
final class FakePoster: GitHubDeploymentPoster {
    struct Posted: Equatable {
        var deployment: Int64
        var state: GitHubDeploymentState
        var description: String
        var environmentURL: String?
    }

    private let state = Mutex<(created: [GitHubDeploymentRequest], posted: [Posted], failures: Int, statusFailures: Int)>(([], [], 0, 0))
    var created: [GitHubDeploymentRequest] { state.withLock { $0.created } }
    var posted: [Posted] { state.withLock { $0.posted } }
    /// The next `count` calls fail as an unreachable GitHub does.
    func fail(_ count: Int) { state.withLock { $0.failures = count } }
    /// The next `count` status posts fail with no answer.
    func failStatuses(_ count: Int) { state.withLock { $0.statusFailures = count } }

    func createDeployment(_ repository: GitHubRepository, installation: Int64, _ deployment: GitHubDeploymentRequest) async throws -> Int64 {
        try state.withLock { state in
            if state.failures > 0 {
                state.failures -= 1
                throw GitHubError(status: 503, message: "Service Unavailable", call: "POST /repos/\(repository)/deployments")
            }
            state.created.append(deployment)
            return Int64(100 + state.created.count)
        }
    }

    func createStatus(_ repository: GitHubRepository, installation: Int64, deployment: Int64, _ status: GitHubDeploymentStatus) async throws {
        try state.withLock { state in
            if state.statusFailures > 0 {
                state.statusFailures -= 1
                throw GitHubError(status: 0, message: "connection refused", call: "POST /repos/\(repository)/deployments/\(deployment)/statuses")
            }
            state.posted.append(Posted(deployment: deployment, state: status.state, description: status.description, environmentURL: status.environmentURL))
        }
    }
}

@Suite struct GitHubDeploymentReconcilerTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000)
    let links = GitHubDeploymentLinks(appURLScheme: "https", baseDomain: "apps.test", adminUIBase: "http://127.0.0.1:9443")
    let sha1 = "1111111111111111111111111111111111111111"
    let sha2 = "2222222222222222222222222222222222222222"

    /// An app linked to org/app, an installation covering it, and PR 5's preview at `sha1`.
    func prepare(_ store: Store) async throws {
        _ = try await store.createApp(name: "app", environment: .production)
        try await store.updateSpec("app") { $0.github = GitHubLink(repo: "org/app") }
        try await store.recordGitHubInstallation(GitHubInstallationUpdate(id: 7, account: "org", repositories: ["org/app"]))
        _ = try await store.upsertPreview("app", PreviewRequest(prNumber: 5, image: "reg.io/a:pr-5", headSHA: sha1), by: "test")
    }

    func reconciler(_ store: Store, _ poster: FakePoster?, clock: TestClock) -> GitHubDeploymentReconciler {
        GitHubDeploymentReconciler(
            store: store, github: poster, links: links, retryBase: .seconds(2), retryCap: .seconds(60), now: { clock.now },
            logger: Logger(label: "test"))
    }

    @Test func inProgressThenSuccessWithTheURL() async throws {
        try await withStore { store in
            try await prepare(store)
            let rows = try await store.githubDeployments(app: "app-pr-5")
            #expect(rows.map(\.sha) == [sha1] && rows.first?.installationID == 7 && rows.first?.environment == "pr-5")
            let poster = FakePoster()
            let github = reconciler(store, poster, clock: TestClock(start))
            #expect(try await github.reconcile("app-pr-5") == .done)
            #expect(poster.created == [GitHubDeploymentRequest(ref: sha1, environment: "pr-5", description: "Preview app-pr-5 of app")])
            #expect(poster.posted.map(\.state) == [.inProgress])

            // Nothing changed: nothing is posted again.
            #expect(try await github.reconcile("app-pr-5") == .done)
            #expect(poster.posted.count == 1)

            try await store.setReleaseStatus("app-pr-5", version: 1, .active)
            try await store.writeStatus("app-pr-5", AppStatus(phase: .running))
            _ = try await github.reconcile("app-pr-5")
            #expect(poster.posted.last == .init(deployment: 101, state: .success, description: "app-pr-5 is live", environmentURL: "https://app-pr-5.apps.test"))
            #expect(poster.created.count == 1)
            let row = try #require(try await store.githubDeployments(app: "app-pr-5").first)
            #expect(row.deploymentID == 101 && row.state == "success" && row.error == nil)
        }
    }

    @Test func failureCarriesTheReason() async throws {
        try await withStore { store in
            try await prepare(store)
            try await store.appendReleaseLog("app-pr-5", version: 1, "image reg.io/a:pr-5 not found")
            try await store.setReleaseStatus("app-pr-5", version: 1, .failed)
            let poster = FakePoster()
            _ = try await reconciler(store, poster, clock: TestClock(start)).reconcile("app-pr-5")
            #expect(poster.posted.map(\.state) == [.failure])
            #expect(poster.posted.first?.description == "image reg.io/a:pr-5 not found")
        }
    }

    @Test func inactiveWhenThePreviewIsDeletedAndTheRowGoes() async throws {
        try await withStore { store in
            try await prepare(store)
            let poster = FakePoster()
            let github = reconciler(store, poster, clock: TestClock(start))
            _ = try await github.reconcile("app-pr-5")
            try await store.deletePreview("app", number: 5)
            #expect(try await github.resyncKeys() == ["app-pr-5"])
            _ = try await github.reconcile("app-pr-5")
            #expect(poster.posted.map(\.state) == [.inProgress, .inactive])
            #expect(try await store.githubDeployments(app: "app-pr-5").isEmpty)
            #expect(try await github.resyncKeys().isEmpty)
        }
    }

    @Test func inactiveWhenTheSHAMovesOnAndTheNewCommitGetsItsOwnDeployment() async throws {
        try await withStore { store in
            try await prepare(store)
            let poster = FakePoster()
            let github = reconciler(store, poster, clock: TestClock(start))
            _ = try await github.reconcile("app-pr-5")
            _ = try await store.upsertPreview("app", PreviewRequest(prNumber: 5, image: "reg.io/a:pr-5", headSHA: sha2), by: "test")
            _ = try await github.reconcile("app-pr-5")
            #expect(poster.created.map(\.ref) == [sha1, sha2])
            #expect(poster.posted.map(\.deployment) == [101, 101, 102])
            #expect(poster.posted.map(\.state) == [.inProgress, .inactive, .inProgress])
            #expect(try await store.githubDeployments(app: "app-pr-5").map(\.sha) == [sha2])
        }
    }

    @Test func failuresBackOffShowTheErrorAndRecover() async throws {
        try await withStore { store in
            try await prepare(store)
            let poster = FakePoster()
            poster.fail(1)
            let clock = TestClock(start)
            let github = reconciler(store, poster, clock: clock)
            #expect(try await github.reconcile("app-pr-5") == .after(.seconds(2)))
            var row = try #require(try await store.githubDeployments(app: "app-pr-5").first)
            #expect(row.attempts == 1 && row.error?.contains("HTTP 503") == true && row.deploymentID == nil)
            #expect(row.nextAttemptAt == start.addingTimeInterval(2))

            // Not due yet: no call, back when it is.
            clock.advance(1)
            #expect(try await github.reconcile("app-pr-5") == .after(.seconds(1)))
            #expect(poster.created.isEmpty)

            clock.advance(1)
            poster.failStatuses(1)
            #expect(try await github.reconcile("app-pr-5") == .after(.seconds(4)))
            row = try #require(try await store.githubDeployments(app: "app-pr-5").first)
            #expect(row.attempts == 2 && row.error?.contains("connection refused") == true && row.deploymentID == 101)
            #expect(try await github.resyncKeys().isEmpty)
            clock.advance(4)
            #expect(try await github.resyncKeys() == ["app-pr-5"])
            #expect(try await github.reconcile("app-pr-5") == .done)
            row = try #require(try await store.githubDeployments(app: "app-pr-5").first)
            #expect(row.attempts == 0 && row.error == nil && row.state == "in_progress" && row.nextAttemptAt == nil)
            #expect(poster.created.count == 1 && poster.posted.map(\.state) == [.inProgress])
        }
    }

    @Test func withoutAnAppNothingIsPostedAndTheRowSaysSo() async throws {
        try await withStore { store in
            try await prepare(store)
            #expect(try await reconciler(store, nil, clock: TestClock(start)).reconcile("app-pr-5") == .done)
            let row = try #require(try await store.githubDeployments(app: "app-pr-5").first)
            #expect(row.error == GitHubDeploymentReconciler.notConfigured && row.deploymentID == nil)

            // Started later with the App: the resync finds the row and posts it.
            let poster = FakePoster()
            let github = reconciler(store, poster, clock: TestClock(start))
            #expect(try await github.resyncKeys() == ["app-pr-5"])
            _ = try await github.reconcile("app-pr-5")
            #expect(poster.posted.map(\.state) == [.inProgress])
            #expect(try await store.githubDeployments(app: "app-pr-5").first?.error == nil)
        }
    }

    @Test func noRowWithoutALinkOrAnInstallation() async throws {
        try await withStore { store in
            _ = try await store.createApp(name: "plain", environment: .production)
            _ = try await store.upsertPreview("plain", PreviewRequest(prNumber: 1, image: "reg.io/a:1", headSHA: sha1), by: "test")
            #expect(try await store.githubDeployments(app: "plain-pr-1").isEmpty)
            _ = try await store.createApp(name: "linked", environment: .production)
            try await store.updateSpec("linked") { $0.github = GitHubLink(repo: "org/other") }
            _ = try await store.upsertPreview("linked", PreviewRequest(prNumber: 1, image: "reg.io/a:1", headSHA: sha1), by: "test")
            #expect(try await store.githubDeployments(app: "linked-pr-1").isEmpty)
            // The webhook's installation id is enough.
            _ = try await store.upsertPreview(
                "linked", PreviewRequest(prNumber: 2, image: "reg.io/a:2", headSHA: sha1, installationID: 9), by: "test")
            #expect(try await store.githubDeployments(app: "linked-pr-2").map(\.installationID) == [9])
        }
    }

    @Test func onlyPreviewNamesWakeIt() {
        #expect(GitHubDeploymentReconciler.looksLikePreview("app-pr-12"))
        #expect(!GitHubDeploymentReconciler.looksLikePreview("app"))
        #expect(!GitHubDeploymentReconciler.looksLikePreview("app-pr-"))
        #expect(!GitHubDeploymentReconciler.looksLikePreview("app-pr-x1"))
    }
}
