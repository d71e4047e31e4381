import Foundation
import PvdifyModel
import Testing

/// GitOps end to end on real Podman behind a real Caddy: a commit that changes the image rolls
/// out with no failed request, and `git revert` rolls it back the same way.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available && CaddyProcess.available))
struct GitOpsRolloutTests {
    /// An app of two web instances with a quick health check, on the test registry's image `tag`.
    static func manifest(_ app: String, registry: String, tag: String) -> String {
        """
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: \(app)}
        spec:
          image: \(registry)/pvdify-test:\(tag)
          processes:
            web: {count: 2}
          healthcheck: {path: /health, interval: 2s}

        """
    }

    @Test func aCommitRollsOutAndARevertRollsBackWithNoFailedRequest() async throws {
        let repo = try await GitFixture()
        let caddy = CaddyProcess()
        try await withCleanUp({ await caddy.cleanUp(); repo.cleanUp() }) {
            try await caddy.start()
            try await Self.rollOutAndBack(repo: repo, caddy: caddy)
        }
    }

    /// The steps, once Caddy runs: v1 from a first commit, v2 from a second, v1 again from a revert.
    static func rollOutAndBack(repo: GitFixture, caddy: CaddyProcess) async throws {
        try await ContainerEnvironment.withDaemon(caddy: caddy) { env in
            let app = env.uniqueApp("gitops")
            let host = "\(app).pvdify.test"
            let file = "apps/\(app).yaml"
            let first = try await repo.commit([file: manifest(app, registry: env.registry, tag: "v1")], message: "Add \(app)")
            // Polls hourly: each step below asks for its sync, so the test says when a commit is seen.
            try await env.send("POST", "/sources", #"{"name":"platform","url":"\#(repo.url)","path":"apps","interval":"1h"}"#)
            try await sync(env, until: first)
            try await env.waitForRelease(app, version: 1, status: "active")
            try await env.waitUntil("v1 routed") {
                try await RouteIntegrationTests.viaCaddy(caddy, host: host).body.contains("version: 1")
            }

            // A commit that changes the image: release 2 rolls out while requests keep flowing.
            let upgrade = try await rollout(env, caddy: caddy, host: host, app: app, release: 2, version: 1) {
                try await repo.commit([file: manifest(app, registry: env.registry, tag: "v2")], message: "Upgrade \(app) to v2")
            }
            let upgraded = try await env.get("/apps/\(app)")
            #expect(upgraded["image"] == .string("\(env.registry)/pvdify-test:v2"))
            #expect(upgraded["managed_by"] == ["source": "platform", "revision": .string(upgrade), "path": .string(file)])

            // `git revert`: a new release on the v1 image, again with no failed request.
            let reverted = try await rollout(env, caddy: caddy, host: host, app: app, release: 3, version: 2) {
                try await repo.revert()
            }
            let rolledBack = try await env.get("/apps/\(app)")
            #expect(rolledBack["image"] == .string("\(env.registry)/pvdify-test:v1"))
            #expect(rolledBack["managed_by"] == ["source": "platform", "revision": .string(reverted), "path": .string(file)])
            #expect(try await env.get("/apps/\(app)/releases/3")["image"] == .string("\(env.registry)/pvdify-test:v1"))
            let history = try await env.get("/sources/platform")["status"]?["history"]?.arrayValue ?? []
            #expect(history.prefix(3).map { $0["revision"] } == [.string(reverted), .string(upgrade), .string(first)])
            #expect(history.prefix(3).allSatisfy { $0["outcome"] == "Succeeded" })

            try await env.send("DELETE", "/sources/platform?prune=true", nil)
            try await env.deleteAllApps()
        }
    }

    /// Sends requests through Caddy while `change` commits and the source syncs it, until release
    /// `release` is active, its predecessors' instances are gone and Caddy serves the new
    /// version; asserts not one request failed. Answers the commit.
    static func rollout(
        _ env: ContainerEnvironment, caddy: CaddyProcess, host: String, app: String, release: Int, version before: Int,
        _ change: () async throws -> String
    ) async throws -> String {
        let loop = RequestLoop(caddy: caddy, host: host)
        let running = Task { await loop.run(maxRequests: 20_000, maxDuration: .seconds(180)) }
        let commit: String
        do {
            commit = try await change()
            try await sync(env, until: commit)
            try await env.waitForRelease(app, version: release, status: "active")
            try await env.waitUntil("only release \(release)'s two instances left") { try await env.containers(app).count == 2 }
            let after = before == 1 ? 2 : 1
            try await env.waitUntil("version \(after) served") {
                try await RouteIntegrationTests.viaCaddy(caddy, host: host).body.contains("version: \(after)")
            }
            try await Task.sleep(for: .seconds(1))
        } catch {
            await loop.stop()
            _ = await running.value
            throw error
        }
        await loop.stop()
        let result = await running.value
        print("gitops rollout to release \(release): \(result.total) requests, \(result.failures.count) failed, \(result.resets) connection resets retried")
        #expect(result.total > 50, "the loop ran: \(result.total) requests")
        #expect(result.failures.isEmpty, "failed or non-2xx answers: \(result.failures.prefix(5))")
        return commit
    }

    /// Asks the source to sync until it has applied `commit`.
    static func sync(_ env: ContainerEnvironment, until commit: String) async throws {
        try await env.send("POST", "/sources/platform/sync", nil)
        try await env.waitUntil("commit \(commit) applied", timeout: .seconds(30)) {
            let status = try await env.get("/sources/platform")["status"]
            let reason = status?["conditions"]?[0]?["reason"]?.stringValue
            if status?["last_attempted_revision"]?.stringValue == commit, reason != SourceReason.succeeded, reason != SourceReason.pending {
                throw DaemonError(message: "the sync of \(commit) failed: \(status ?? .null)")
            }
            return status?["last_applied_revision"]?.stringValue == commit
        }
    }
}
