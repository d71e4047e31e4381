import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Shows each preview on its pull request as a GitHub deployment: `in_progress` while its
/// release rolls out, `success` with its URL, `failure` with the reason, `inactive` once the
/// preview is gone or a newer commit replaced it. The rows of `github_deployments` (written with
/// the preview) are the desired state; a pass posts only what GitHub does not show yet. Keys are
/// preview apps; a pass runs when one of them changes or a retry is due, never for other apps.
/// GitHub being unreachable never holds a preview back: the row keeps the error and is retried
/// with backoff, and `GET /apps/{parent}/previews` shows it.
public final class GitHubDeploymentReconciler: Reconciler {
    public let name = "github-deployments"
    /// What the store changes of a preview app that can change what GitHub should show.
    public static let kinds: Set<Change.Kind> = [.created, .release, .status, .deleted]
    /// What a row says while no App is configured.
    public static let notConfigured =
        "The GitHub App is not configured (start pvdifyd with --github-app-id and --github-app-key-file): nothing is posted"

    let store: Store
    let github: (any GitHubDeploymentPoster)?
    let links: GitHubDeploymentLinks
    let retryBase: Duration
    let retryCap: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    /// - Parameters:
    ///   - github: nil when no App is configured: rows then only say so.
    ///   - retryBase, retryCap: the backoff after failed attempts (doubling from base to cap).
    public init(
        store: Store, github: (any GitHubDeploymentPoster)?, links: GitHubDeploymentLinks,
        retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.github = github
        self.links = links
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.now = now
        self.logger = logger
    }

    public func resyncKeys() async throws -> [String] { try await store.githubDeploymentsToResync(now: now()) }

    /// Changes of apps named like previews (`*-pr-N`); a pass for an app with no row is one read.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [
            {
                let stream = store.changes.apps(Self.kinds)
                return AsyncStream { continuation in
                    let task = Task {
                        for await app in stream where Self.looksLikePreview(app) { continuation.yield(app) }
                        continuation.finish()
                    }
                    continuation.onTermination = { _ in task.cancel() }
                }
            },
        ]
    }

    /// `{app}-pr-{n}`: the only names a preview app has.
    static func looksLikePreview(_ app: String) -> Bool {
        guard let range = app.range(of: "-pr-", options: .backwards) else { return false }
        let number = app[range.upperBound...]
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
    }

    public func reconcile(_ app: String) async throws -> ReconcileResult {
        let rows = try await store.githubDeployments(app: app)
        guard !rows.isEmpty else { return .done }
        let record = try await store.previewRecord(app: app)
        let progress = try await self.progress(app, hasRecord: record != nil)
        let started = now()
        var nextRetry: Date?
        for row in rows {
            if let due = row.nextAttemptAt, due > started {
                nextRetry = min(nextRetry ?? due, due)
                continue
            }
            let wanted = GitHubDeploymentPlanner.status(row, record: record, progress: progress, links: links)
            let action = GitHubDeploymentPlanner.action(row, wanted: wanted)
            if let retry = try await apply(action, to: row) { nextRetry = min(nextRetry ?? retry, retry) }
        }
        guard let nextRetry else { return .done }
        return .after(max(.milliseconds(Int64(nextRetry.timeIntervalSince(now()) * 1000)), .milliseconds(100)))
    }

    /// Carries out one action; returns when to retry after a failure.
    func apply(_ action: GitHubDeploymentPlanner.Action, to row: GitHubDeployment) async throws -> Date? {
        switch action {
        case .nothing:
            return nil
        case .forget:
            try await store.deleteGitHubDeployment(app: row.previewApp, sha: row.sha)
            return nil
        case .post(let status), .retire(let status):
            var row = row
            guard let github, let repository = GitHubRepository(row.repo) else {
                let error = github == nil ? Self.notConfigured : "'\(row.repo)' is not a GitHub repository name"
                if row.error != error || row.nextAttemptAt != nil {
                    row.error = error
                    row.nextAttemptAt = nil
                    try await store.recordGitHubDeployment(row)
                }
                return nil
            }
            do {
                if row.deploymentID == nil {
                    row.deploymentID = try await github.createDeployment(
                        repository, installation: row.installationID,
                        GitHubDeploymentRequest(ref: row.sha, environment: row.environment, description: "Preview \(row.previewApp) of \(row.parent)"))
                    logger.info("github: deployment created", metadata: [
                        "app": "\(row.previewApp)", "sha": "\(row.sha)", "deployment": "\(row.deploymentID!)",
                    ])
                }
                try await github.createStatus(repository, installation: row.installationID, deployment: row.deploymentID!, status)
            } catch let error as CancellationError {
                throw error
            } catch {
                row.attempts += 1
                row.error = "\(error)"
                let delay = Backoff.delay(base: retryBase, cap: retryCap, attempt: row.attempts)
                let retry = now().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                row.nextAttemptAt = retry
                try await store.recordGitHubDeployment(row)
                logger.warning("github: deployment status not posted, retrying", metadata: [
                    "app": "\(row.previewApp)", "state": "\(status.state.rawValue)", "error": "\(error)", "attempts": "\(row.attempts)",
                ])
                return retry
            }
            logger.info("github: deployment status posted", metadata: [
                "app": "\(row.previewApp)", "sha": "\(row.sha)", "state": "\(status.state.rawValue)",
            ])
            if case .retire = action {
                try await store.deleteGitHubDeployment(app: row.previewApp, sha: row.sha)
                return nil
            }
            row.state = status.state.rawValue
            row.description = status.description
            row.error = nil
            row.attempts = 0
            row.nextAttemptAt = nil
            try await store.recordGitHubDeployment(row)
            return nil
        }
    }

    /// The preview app's progress from its newest release and status.
    func progress(_ app: String, hasRecord: Bool) async throws -> PreviewProgress {
        guard hasRecord else { return .deploying(release: nil) }
        let view: AppView
        let releases: [Release]
        do {
            view = try await store.app(app)
            releases = try await store.releases(app)
        } catch StoreError.notFound {
            return .deploying(release: nil)
        }
        let newest = releases.first
        var reason: String?
        if let newest, newest.status == .failed {
            reason = try await store.releaseLog(app, version: newest.version).last.map(\.1)
        } else if let ready = view.status?.condition(ConditionType.ready), ready.status != "True", !ready.message.isEmpty {
            reason = ready.message
        }
        return PreviewProgress.of(newest: newest, phase: view.status?.phase, reason: reason)
    }
}
