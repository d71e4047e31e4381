import Foundation
import PvdifyModel
import Testing

/// What polling costs, counted by the daemon itself (`pvdify_git_runs_total` on `/metrics`): a
/// poll that finds the remote unchanged runs one `git ls-remote` and nothing else; a new commit
/// is fetched once.
@Suite(.serialized) struct GitOpsPollCostTests {
    /// `pvdify_git_runs_total` by command, and the source reconciler's passes.
    static func counts(_ gitops: GitOpsDaemon) async throws -> [String: Int] {
        let reply = try await HTTP.request("GET", gitops.daemon.baseURL + "/metrics", token: gitops.daemon.adminToken)
        #expect(reply.status == 200)
        var counts: [String: Int] = [:]
        for line in reply.body.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            let name = String(parts[0])
            if name.hasPrefix(#"pvdify_git_runs_total{command=""#) {
                counts[String(name.dropFirst(#"pvdify_git_runs_total{command=""#.count).dropLast(2))] = Int(value)
            } else if name == #"pvdify_reconciles_total{reconciler="sources"}"# {
                counts["passes"] = Int(value)
            }
        }
        return counts
    }

    @Test func anUnchangedPollRunsOneLsRemoteAndNoFetch() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
        try await gitops.addSource("platform", url: repo.url)
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        let before = try await Self.counts(gitops)
        #expect(before["ls-remote"] ?? 0 >= 1 && before["fetch"] == 1, "\(before)")

        // Three more one-second polls of an unchanged remote.
        var after = before
        let polled = try await gitops.eventually {
            after = try await Self.counts(gitops)
            return after["ls-remote"] ?? 0 >= (before["ls-remote"] ?? 0) + 3
        }
        #expect(polled, "\(after)")
        for command in ["fetch", "init", "rev-parse", "checkout", "clean"] {
            #expect(after[command] == before[command], "\(command): \(before) -> \(after)")
        }
        // One ls-remote a pass: a pass is counted when it ends, so one may still be running.
        let lsRemotes = (after["ls-remote"] ?? 0) - (before["ls-remote"] ?? 0)
        #expect(lsRemotes <= (after["passes"] ?? 0) - (before["passes"] ?? 0) + 1, "\(before) -> \(after)")

        // A new commit is fetched, once.
        let second = try await repo.commit(["apps/web.yaml": GitFixture.app("web", count: 2)])
        try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(try await Self.counts(gitops)["fetch"] == 2)
    }
}
