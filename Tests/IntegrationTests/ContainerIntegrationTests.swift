import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel
import PvdifyTestSupport
import Testing

/// The container reconciler against real Podman, through the API of a real pvdifyd, with images
/// pulled from the local registry (`hack/test-image.sh`). Runs when `PVDIFY_PODMAN_SOCKET` and
/// `PVDIFY_TEST_REGISTRY` are set (`hack/test.sh` sets both).
@Suite(.serialized, .enabled(if: ContainerEnvironment.available))
struct ContainerIntegrationTests {
    @Test func deployScaleConfigRollbackAndDelete() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("deploy")
            try await env.create(app)
            try await env.setConfig(app, ["GREETING": "hello one"])
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s","deploy_timeout":"30s"}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            var page = try await env.page(app)
            #expect(page.contains("version: 1"))
            #expect(page.contains("greeting: hello one"))
            try await env.waitUntil("app running") { try await env.get("/apps/\(app)")["status"] == "running" }
            let status = try await env.get("/apps/\(app)")
            #expect(status["observed_generation"] == status["generation"])
            let ps = try await env.get("/apps/\(app)/ps")
            #expect(ps["processes"]?[0]?["running"] == 1)
            #expect(ps["processes"]?[0]?["status"] == "running")
            #expect(try await env.containers(app).count == 1)
            let log = try await env.text("/apps/\(app)/releases/1/log")
            #expect(log.contains("Pulled 127.0.0.1:5000/pvdify-test:v1"))
            #expect(log.contains("web.1 is healthy"))
            #expect(log.contains("is active"))

            // Logs from the container, collected by the daemon.
            try await env.waitUntil("web.1 logged its start") {
                try await env.text("/apps/\(app)/logs?process=web").contains("listening on")
            }

            // Scale up, then down: no new release.
            _ = try await env.send("POST", "/apps/\(app)/ps/scale", #"{"web":3}"#)
            try await env.waitUntil("3 web instances") { try await env.upstreams(app).count == 3 }
            #expect(try await env.containers(app).count == 3)
            _ = try await env.send("POST", "/apps/\(app)/ps/scale", #"{"web":1}"#)
            try await env.waitUntil("1 web instance") { try await env.containers(app).count == 1 }
            #expect(try await env.get("/apps/\(app)/releases")["releases"]?.arrayValue?.count == 1)

            // A config change is a release with the new environment.
            try await env.setConfig(app, ["GREETING": "hello two"])
            try await env.waitForRelease(app, version: 2, status: "active")
            page = try await env.page(app)
            #expect(page.contains("greeting: hello two"))
            try await env.waitForRelease(app, version: 1, status: "superseded")

            // A new image, then a rollback restores image and config.
            try await env.deploy(app, tag: "v2")
            try await env.waitForRelease(app, version: 3, status: "active")
            #expect(try await env.page(app).contains("version: 2"))
            let rollback = try await env.send("POST", "/apps/\(app)/rollback", #"{"version":1}"#)
            #expect(rollback["rollback_to"] == 1)
            try await env.waitForRelease(app, version: 4, status: "active")
            page = try await env.page(app)
            #expect(page.contains("version: 1"))
            #expect(page.contains("greeting: hello one"))

            // Logs from before those deploys are still there.
            let logs = try await env.text("/apps/\(app)/logs?lines=1000")
            #expect(logs.components(separatedBy: "listening on").count > 3)

            // pvdifyd restarted: it adopts the running containers, replaces none, and keeps serving.
            try await env.waitUntil("the rolled-back release alone") { try await env.containers(app).count == 1 }
            let running = Set(try await env.containers(app))
            let upstream = try #require(try await env.upstreams(app).first)
            try await env.daemon.stop()
            // The app keeps serving while pvdifyd is down.
            #expect(try await HTTP.request("GET", "http://\(upstream)/").body.contains("greeting: hello one"))
            try await env.daemon.start()
            try await Task.sleep(for: .seconds(5))  // two resyncs
            #expect(Set(try await env.containers(app)) == running)
            #expect(try await env.get("/apps/\(app)")["status"] == "running")

            // The reconcilers' metrics, in Prometheus text.
            let metrics = try await HTTP.request("GET", "\(env.daemon.baseURL)/metrics", token: env.token)
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"pvdify_reconciles_total{reconciler="containers"}"#))
            #expect(metrics.body.contains("pvdify_reconcile_duration_seconds_bucket"))

            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
        }
    }

    @Test func containerOutputStreamsLive() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("logs")
            try await env.create(app)
            try await env.patch(app, #"{"processes":{"web":{"count":0},"worker":{"command":"/app/run.sh worker","count":1}}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(60))

            var request = HTTPClientRequest(url: "\(env.api)/apps/\(app)/logs?follow=true&process=worker&lines=1")
            request.headers.add(name: "Authorization", value: "Bearer \(env.token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            #expect(response.status == .ok)
            var chunks = response.body.makeAsyncIterator()
            var buffer = ""
            var delays: [Double] = []
            while delays.count < 4, let chunk = try await chunks.next() {
                buffer += String(buffer: chunk)
                while let end = buffer.range(of: "\n\n") {
                    let event = String(buffer[..<end.lowerBound])
                    buffer = String(buffer[end.upperBound...])
                    guard event.hasPrefix("data: "),
                          let line = try? JSONValue.parse(json: Data(event.dropFirst(6).utf8)),
                          line["message"]?.stringValue?.hasPrefix("worker tick") == true,
                          let stamp = line["timestamp"]?.stringValue.flatMap(Timestamps.parse)
                    else { continue }
                    delays.append(Date().timeIntervalSince(stamp))
                }
            }
            // The first event is the backlog line; the live ones arrive as the container writes them.
            // Podman stamps lines to the second and the API shows whole seconds, so a line written
            // at 12:00:00.9 can read "12:00:00": the bound allows that second.
            let live = Array(delays.dropFirst())
            #expect(live.count == 3)
            #expect(live.allSatisfy { $0 < 2.0 }, "delays: \(live)")
            print("log stream delay after the container wrote (to the second): \(live.map { String(format: "%.2f", $0) })")
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
        }
    }

    @Test func failedReleaseLeavesTheOldOneServing() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("failing")
            try await env.create(app)
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s","deploy_timeout":"4s"}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            let before = try await env.upstreams(app)

            // MODE=unhealthy: /health answers 404, so v2 never becomes ready.
            try await env.setConfig(app, ["MODE": "unhealthy"])
            let probe = Task { try await env.pageRequests(app, for: .seconds(6)) }
            try await env.waitForRelease(app, version: 2, status: "failed", timeout: .seconds(30))
            let log = try await env.text("/apps/\(app)/releases/2/log")
            #expect(log.contains("did not pass its health check (GET /health)"))
            #expect(log.contains("answered 404"))
            #expect(log.contains("v1 keeps serving"))
            #expect(try await env.upstreams(app) == before)
            #expect(try await env.page(app).contains("mode: web"))
            let answers = try await probe.value
            #expect(answers.failures == 0, "the old release kept answering: \(answers)")
            #expect(try await env.containers(app).count == 1)
            let release = try await env.get("/apps/\(app)/releases/1")
            #expect(release["status"] == "active")

            // An image the registry does not have: the pull fails, the release fails with the reason.
            try await env.send("POST", "/apps/\(app)/releases", #"{"image":"\#(env.registry)/pvdify-test:missing"}"#)
            try await env.waitForRelease(app, version: 3, status: "failed", timeout: .seconds(30))
            let pullLog = try await env.text("/apps/\(app)/releases/3/log")
            #expect(pullLog.contains("pulling \(env.registry)/pvdify-test:missing failed"))
            #expect(try await env.page(app).contains("mode: web"))
            let shown = try await env.get("/apps/\(app)")
            #expect(shown["conditions"]?.arrayValue?.contains { $0["reason"] == "ReleaseFailed" } == true)
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
        }
    }

    @Test func crashesAreRestartedAndRemovedContainersComeBack() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("heal")
            try await env.create(app)
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s"}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            // A process that exits after a second is restarted with backoff, its restarts counted.
            try await env.patch(app, #"{"processes":{"crasher":{"command":"/app/run.sh crash","count":1}}}"#)
            try await env.waitUntil("restarts counted", timeout: .seconds(40)) {
                let ps = try await env.get("/apps/\(app)/ps")
                let crasher = ps["processes"]?.arrayValue?.first { $0["type"] == "crasher" }
                return (crasher?["restarts"]?.intValue ?? 0) >= 2
            }
            #expect(try await env.text("/apps/\(app)/logs?process=crasher").contains("crashing in 1s"))
            try await env.patch(app, #"{"processes":{"crasher":null}}"#)
            try await env.waitUntil("the crasher removed") { try await env.containers(app).count == 1 }

            // A web container removed by hand is put back.
            let before = try await env.containers(app).filter { $0.contains("-web-") }
            #expect(before.count == 1)
            try env.podman(["rm", "-f", before[0]])
            try await env.waitUntil("web.1 back", timeout: .seconds(30)) {
                let now = try await env.containers(app).filter { $0.contains("-web-") }
                let page = try? await env.page(app)
                return now.count == 1 && page != nil
            }
            // Stopped by hand: started again.
            let current = try await env.containers(app).filter { $0.contains("-web-") }
            try env.podman(["stop", "-t", "2", current[0]])
            try await env.waitUntil("web.1 running again", timeout: .seconds(30)) {
                let page = try? await env.page(app)
                let status = try await env.get("/apps/\(app)")["status"]
                return page != nil && status == "running"
            }
            // A web instance that starts failing its health check (its /health file gone) is
            // replaced after three failed checks in a row.
            try await env.patch(app, #"{"healthcheck":{"interval":"1s"}}"#)
            try await Task.sleep(for: .seconds(2))
            let healthy = try await env.containers(app).filter { $0.contains("-web-") }
            #expect(healthy.count == 1)
            let webIDs = { try env.podmanOutput(["ps", "-a", "-q", "--filter", "label=pvdify.app=\(app)", "--filter", "label=pvdify.process=web"]) }
            let idsBefore = try webIDs()
            try env.podman(["exec", healthy[0], "/bin/busybox", "rm", "/tmp/www/health"])
            try await env.waitUntil("the unhealthy instance replaced", timeout: .seconds(30)) {
                let now = try webIDs()
                let page = try? await env.page(app)
                return !now.isEmpty && now != idsBefore && page != nil
            }
            #expect(try await env.text("/apps/\(app)/logs?process=web").contains("listening on"))

            // Containers pvdify does not own are never touched: one without its labels, and one
            // labelled for this very app by another pvdifyd instance sharing the Podman.
            let stranger = "pvdify-stranger-\(UUID().uuidString.prefix(8).lowercased())"
            try env.podman(["create", "--name", stranger, "--label", "pvdify.app-not", "\(env.registry)/pvdify-test:v1"])
            let neighbour = "pvdify-neighbour-\(UUID().uuidString.prefix(8).lowercased())"
            try env.podman([
                "create", "--name", neighbour, "--label", "pvdify.app=\(app)", "--label", "pvdify.process=web",
                "--label", "pvdify.index=9", "--label", "pvdify.release=1", "--label", "pvdify.spec-hash=x",
                "--label", "pvdify.instance=someoneelse", "\(env.registry)/pvdify-test:v1",
            ])
            defer { try? env.podman(["rm", "-f", neighbour]) }
            defer { try? env.podman(["rm", "-f", stranger]) }
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container of its own left") { try await env.containers(app) == [neighbour] }
            let names = try env.podmanOutput(["ps", "-a", "--format", "{{.Names}}"])
            #expect(names.contains(stranger))
            #expect(names.contains(neighbour))
        }
    }

    @Test func aHostPortAnotherContainerClaimsIsNotHandedOut() async throws {
        try await ContainerEnvironment.withDaemon { env in
            // The port a fresh pvdifyd would hand out first: the lowest of its range that nothing
            // listens on and no container publishes. A container that is not pvdify's claims it
            // without running, so a bind test finds it free; Podman would forward it to that
            // container as soon as it starts (and keeps forwarding it to one that died unseen).
            let published = try env.publishedHostPorts()
            guard let claimed = (10_000...19_999).first(where: { !published.contains($0) && Loopback.isFree($0) }) else {
                Issue.record("no free port in the range")
                return
            }
            let stranger = "pvdify-claims-\(UUID().uuidString.prefix(8).lowercased())"
            try env.podman(["create", "--name", stranger, "-p", "127.0.0.1:\(claimed):3000", "\(env.registry)/pvdify-test:v1"])
            defer { try? env.podman(["rm", "-f", stranger]) }
            #expect(try env.publishedHostPorts().contains(claimed))

            let app = env.uniqueApp("ports")
            try await env.create(app)
            try await env.patch(app, #"{"healthcheck":{"path":"/health","interval":"2s","deploy_timeout":"30s"}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active")
            let upstreams = try await env.upstreams(app)
            #expect(upstreams.count == 1)
            #expect(!upstreams.contains("127.0.0.1:\(claimed)"))
            #expect(try await env.page(app).contains("version: 1"))
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
        }
    }

    /// pvdifyd killed between creating a new release's instance and starting it leaves the
    /// instance `created`: exit code 0, never started. After a restart the instance is started
    /// (not taken for a crash, which would fail the release) and the rollout completes.
    @Test func anInstanceAKilledDaemonCreatedButNeverStartedIsStarted() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("halfway")
            try await env.create(app)
            try await env.patch(app, """
                {"processes":{"web":{"count":1,"command":"\(FailoverDeployTests.slowStartCommand)"}},\
                "healthcheck":{"path":"/health","interval":"1s","deploy_timeout":"120s"}}
                """)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(90))
            try await env.deploy(app, tag: "v2")
            let ofRelease2 = ["ps", "-a", "--filter", "label=pvdify.app=\(app)", "--filter", "label=pvdify.release=2"]
            var name = ""
            try await env.waitUntil("an instance of v2", timeout: .seconds(60)) {
                name = try env.podmanOutput(ofRelease2 + ["--format", "{{.Names}}"]).trimmingCharacters(in: .whitespacesAndNewlines)
                return !name.isEmpty
            }
            #expect(try await env.daemon.stop(signal: SIGKILL) == SIGKILL)
            // Leave it as a daemon killed between the two calls would: the same container
            // (name, labels, command, environment, port), created and never started.
            try env.localPodman(["container", "clone", name, "\(name)-copy"])
            try env.localPodman(["rm", "-f", "-t", "0", name])
            try env.localPodman(["rename", "\(name)-copy", name])
            let created = try env.podmanOutput(["inspect", name, "--format", "{{.State.Status}} {{.Id}}"]).split(separator: " ")
            #expect(created.first == "created")
            let id = created.last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""

            try await env.daemon.start()
            try await env.waitForRelease(app, version: 2, status: "active", timeout: .seconds(90))
            #expect(try await env.page(app).contains("version: 2"))
            // The very container was started, not replaced by a new one.
            #expect(try env.podmanOutput(ofRelease2 + ["-q", "--no-trunc"]).trimmingCharacters(in: .whitespacesAndNewlines) == id)
            #expect(try await env.text("/apps/\(app)/releases/2/log").contains("which was created but never started"))
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left", timeout: .seconds(60)) { try await env.containers(app).isEmpty }
        }
    }
}
