import Foundation
import Testing
@testable import PvdifyDrivers

@Suite struct GitHubRequestsTests {
    let repository = GitHubRepository("Example-Org/my.app")!

    func object(_ data: Data?) throws -> [String: Any] {
        let data = try #require(data)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func installationTokenIsAPostAsTheApp() {
        #expect(GitHubRequests.installationToken(installation: 42) == GitHubRequest(method: "POST", path: "/app/installations/42/access_tokens"))
    }

    @Test func deploymentIsTransientAndNeverGated() throws {
        let request = GitHubRequests.createDeployment(
            repository, GitHubDeploymentRequest(ref: "abc1234", environment: "pr-7", description: String(repeating: "d", count: 200)))
        #expect(request.method == "POST" && request.path == "/repos/Example-Org/my.app/deployments")
        let body = try object(request.body)
        #expect(body["ref"] as? String == "abc1234")
        #expect(body["environment"] as? String == "pr-7")
        #expect(body["transient_environment"] as? Bool == true)
        #expect(body["production_environment"] as? Bool == false)
        #expect(body["auto_merge"] as? Bool == false)
        #expect((body["required_contexts"] as? [Any])?.isEmpty == true)
        #expect((body["description"] as? String)?.count == 140)
    }

    @Test func statusCarriesItsURLsAndACutDescription() throws {
        let request = GitHubRequests.createStatus(
            repository, deployment: 99,
            GitHubDeploymentStatus(
                state: .success, description: String(repeating: "x", count: 300), environmentURL: "https://app-pr-7.example.com",
                logURL: "http://127.0.0.1:9443/ui/apps/app-pr-7"))
        #expect(request.path == "/repos/Example-Org/my.app/deployments/99/statuses")
        let body = try object(request.body)
        #expect(body["state"] as? String == "success")
        #expect(body["environment_url"] as? String == "https://app-pr-7.example.com")
        #expect(body["log_url"] as? String == "http://127.0.0.1:9443/ui/apps/app-pr-7")
        #expect((body["description"] as? String)?.count == 140)
        let inactive = try object(GitHubRequests.createStatus(repository, deployment: 99, .init(state: .inactive, description: "gone")).body)
        #expect(inactive["state"] as? String == "inactive" && inactive["environment_url"] == nil && inactive["log_url"] == nil)
    }

    @Test func repositoryNamesAreCheckedBeforeAPath() {
        for bad in ["../x", "a/b/c", "o/ r", "o/..", "-o/r", "o/r?x=1", "o/r#f", "o%2F/r", ""] {
            #expect(GitHubRepository(bad) == nil, "\(bad)")
        }
        #expect(GitHubRepository("octo-org/octo_repo.js")?.description == "octo-org/octo_repo.js")
    }

    @Test func transportSendsGitHubsHeadersAndAppendsPathsToAnEnterpriseBase() throws {
        let transport = GitHubTransport(baseURL: URL(string: "https://ghe.example.com/api/v3/")!)
        let call = transport.call(for: GitHubRequests.createDeployment(repository, .init(ref: "abc1234", environment: "pr-1", description: "d")), credential: "ghs_secret")
        #expect(call.url == "https://ghe.example.com/api/v3/repos/Example-Org/my.app/deployments")
        let headers = Dictionary(call.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["Accept"] == "application/vnd.github+json")
        #expect(headers["X-GitHub-Api-Version"] == "2022-11-28")
        #expect(headers["User-Agent"] == "pvdify")
        #expect(headers["Authorization"] == "Bearer ghs_secret")
        #expect(headers["Content-Type"] == "application/json")
    }

    @Test func errorsCarryGitHubsMessageAndNeverACredential() {
        let error = GitHubError.answer(status: 404, body: Data(#"{"message":"Not Found","documentation_url":"x"}"#.utf8), call: "POST /repos/o/r/deployments")
        #expect(error.description == "GitHub POST /repos/o/r/deployments: HTTP 404: Not Found")
        #expect(GitHubError.answer(status: 502, body: Data("bad gateway".utf8), call: "c").message == "bad gateway")
    }
}
