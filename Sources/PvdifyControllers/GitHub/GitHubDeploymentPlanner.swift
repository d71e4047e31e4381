import Foundation
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Where a deployment status points: the preview's URL, and its page in the Admin UI.
public struct GitHubDeploymentLinks: Sendable, Equatable {
    /// `https` or `http` (TLS off), as the previews list shows the URL.
    public var appURLScheme: String
    /// Apps are served at `APP.<baseDomain>`.
    public var baseDomain: String
    /// `http://HOST:PORT` of the Admin UI, nil when the UI is off (then no `log_url`).
    public var adminUIBase: String?

    public init(appURLScheme: String, baseDomain: String, adminUIBase: String?) {
        self.appURLScheme = appURLScheme
        self.baseDomain = baseDomain
        self.adminUIBase = adminUIBase
    }

    /// The preview's URL, as `GET /apps/{parent}/previews` shows it.
    public func environmentURL(_ app: String) -> String { "\(appURLScheme)://\(app).\(baseDomain)" }

    /// The preview app's Admin UI page.
    public func logURL(_ app: String) -> String? { adminUIBase.map { "\($0)/ui/apps/\(app)" } }
}

/// Decides what GitHub should show of one deployment row: pure, so tests can table it.
public enum GitHubDeploymentPlanner {
    /// What to do about one row.
    public enum Action: Sendable, Equatable {
        /// GitHub already shows `status`.
        case nothing
        /// Post `status` (creating the deployment first when it has none).
        case post(GitHubDeploymentStatus)
        /// Post `inactive` and then forget the row.
        case retire(GitHubDeploymentStatus)
        /// Forget the row: it never reached GitHub, or `inactive` was posted already.
        case forget
    }

    /// The status the row's commit should have: `inactive` when the preview is gone or has
    /// moved to another commit, else from the preview's progress.
    public static func status(
        _ row: GitHubDeployment, record: Preview?, progress: PreviewProgress, links: GitHubDeploymentLinks
    ) -> GitHubDeploymentStatus {
        guard let record else { return GitHubDeploymentStatus(state: .inactive, description: "The preview was deleted") }
        guard record.headSHA == row.sha else {
            return GitHubDeploymentStatus(state: .inactive, description: "A newer commit replaced this preview")
        }
        let logURL = links.logURL(row.previewApp)
        switch progress {
        case .deploying(let release):
            let text = release.map { "Deploying release v\($0) of \(row.previewApp)" } ?? "Waiting for the first release of \(row.previewApp)"
            return GitHubDeploymentStatus(state: .inProgress, description: text, logURL: logURL)
        case .ready:
            return GitHubDeploymentStatus(
                state: .success, description: "\(row.previewApp) is live", environmentURL: links.environmentURL(row.previewApp), logURL: logURL)
        case .failed(let reason):
            return GitHubDeploymentStatus(state: .failure, description: reason, logURL: logURL)
        }
    }

    /// The action that brings GitHub from what the row says was posted to `wanted`.
    public static func action(_ row: GitHubDeployment, wanted: GitHubDeploymentStatus) -> Action {
        if wanted.state == .inactive {
            if row.deploymentID == nil || row.state == GitHubDeploymentState.inactive.rawValue { return .forget }
            return .retire(wanted)
        }
        if row.deploymentID != nil, row.state == wanted.state.rawValue, row.description == wanted.description, row.error == nil {
            return .nothing
        }
        return .post(wanted)
    }
}
