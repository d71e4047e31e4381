import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// Two pvdifyd replicas on one PostgreSQL database driving one real Podman (the supported
/// layout): the leader is SIGKILLed in the middle of a deploy while a client writes config
/// through it. The other replica must take the lead (how soon is printed), finish the rollout with exactly the
/// app's containers (none twice, none left over, none the store does not know of) and keep
/// every acknowledged write.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available && TestPostgres.serverURL != nil))
struct FailoverDeployTests {
    /// Where in a deploy the leader is killed.
    enum KillPoint: String {
        /// As soon as the release is created (before or while the image is pulled).
        case releaseCreated = "just after the release was created"
        /// While the new release's containers start and are not healthy yet.
        case containersStarting = "while the new containers start"
    }

    /// A web process that takes a few seconds to answer, so a rollout lasts long enough to be
    /// interrupted; it still stops at once on SIGTERM.
    static let slowStartCommand = "trap 'exit 0' TERM; sleep 8 & wait $!; exec /app/run.sh web"

    /// A leader killed between creating an instance and starting it leaves it `created` (exit
    /// code 0, never started): the next leader starts it, and the rollout goes on.
    @Test
    func aLeaderKilledDuringADeployIsReplacedWithoutLosingWritesOrContainers() async throws {
        let (database, url) = try await TestPostgres.createDatabase()
        let token = "pvd_failover_\(UUID().uuidString.lowercased())"
        let environment = [
            "PVDIFY_DATABASE_URL": url, "PVDIFY_BOOTSTRAP_TOKEN": token,
            "PVDIFY_SECRET_KEY": Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
        ]
        // As ContainerEnvironment starts pvdifyd: the tests' Podman and registry, quick resyncs,
        // and a rate limit the polling below stays under.
        let arguments = [
            "--podman-socket", ContainerEnvironment.podmanSocket!, "--insecure-registry", ContainerEnvironment.registryAddress!,
            "--resync-interval", "2s", "--rate-limit", "100000",
        ]
        let replicas = [DaemonProcess(environment: environment, arguments: arguments), DaemonProcess(environment: environment, arguments: arguments)]
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let app = "failover-\(suffix)", writes = "failover-writes-\(suffix)"
        do {
            for replica in replicas { try await replica.start() }
            let first = try await Self.leader(of: replicas, within: .seconds(30))
            let second = try #require(replicas.first { $0 !== first })
            let env = ContainerEnvironment(daemon: first, token: token)
            try await env.create(app)
            try await env.create(writes)
            try await env.patch(app, """
                {"processes":{"web":{"count":2,"command":"\(Self.slowStartCommand)"}},\
                "healthcheck":{"path":"/health","interval":"1s","deploy_timeout":"120s"}}
                """)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(90))
            try await Self.expectConverged(env, app: app, release: 1, version: "1")

            try await Self.failover(
                leader: first, follower: second, token: token, app: app, writes: writes, tag: "v2", release: 2,
                version: "2", round: "A", at: .containersStarting)
            // The killed replica comes back (as its supervisor would restart it) as a follower.
            try await first.start()
            #expect(!(await Self.leads(first)), "the restarted replica took the lease from a live leader")
            try await Self.failover(
                leader: second, follower: first, token: token, app: app, writes: writes, tag: "v1", release: 3,
                version: "1", round: "B", at: .releaseCreated)

            // The last leader removes the app's containers when the app is deleted.
            let last = ContainerEnvironment(daemon: first, token: token)
            try await last.send("DELETE", "/apps/\(app)", nil)
            try await last.waitUntil("no container of \(app) left", timeout: .seconds(60)) {
                try await Self.podmanContainers(app).isEmpty
            }
            for replica in replicas { try await replica.stop() }
        } catch {
            for replica in replicas {
                Issue.record("replica on port \(replica.port), log tail:\n\(replica.log.suffix(3000))")
            }
            await Self.cleanUp(replicas, app: app, database: database)
            throw error
        }
        await Self.cleanUp(replicas, app: app, database: database)
    }

    /// Deploys `tag` (release `release`) through `leader` while a client writes config vars
    /// through it, SIGKILLs the leader at `point`, and checks what `follower` makes of it.
    static func failover(
        leader: DaemonProcess, follower: DaemonProcess, token: String, app: String, writes: String, tag: String,
        release: Int, version: String, round: String, at point: KillPoint
    ) async throws {
        let env = ContainerEnvironment(daemon: leader, token: token)
        // One new var per write, so that each acknowledged write can be looked for afterwards.
        let leaderConfig = "\(env.api)/apps/\(writes)/config"
        let writer = Task { () -> Int in
            var acknowledged = 0
            while let reply = try? await HTTP.request(
                "PATCH", leaderConfig, token: token, json: #"{"vars":{"W\#(round)_\#(acknowledged)":"\#(acknowledged)"}}"#),
                reply.status == 200
            {
                acknowledged += 1
            }
            return acknowledged
        }
        try await Task.sleep(for: .seconds(1))
        try await env.deploy(app, tag: tag)
        if point == .containersStarting {
            try await env.waitUntil("a container of release \(release)", timeout: .seconds(60)) {
                try await podmanContainers(app).contains { $0.release == release }
            }
            // The new containers answer only after their start delay: the rollout is under way.
            #expect(try await env.get("/apps/\(app)/releases/\(release)")["status"] == "deploying")
        }
        #expect(try await leader.stop(signal: SIGKILL) == SIGKILL)
        let killed = ContinuousClock.now
        let acknowledged = await writer.value
        #expect(acknowledged > 0)

        while !(await leads(follower)), ContinuousClock.now < killed + .seconds(60) {
            try await Task.sleep(for: .milliseconds(250))
        }
        let failover = ContinuousClock.now - killed
        #expect(await leads(follower), "the surviving replica did not take over")
        // The time is a figure (printed below; hack/bench-failover.sh measures it over ten kills
        // against the 15 s target), not an assertion: a loaded machine must not fail the test.

        let survivor = ContainerEnvironment(daemon: follower, token: token)
        let vars = try await survivor.get("/apps/\(writes)/config")["vars"]?.objectValue ?? [:]
        let lost = (0..<acknowledged).filter { vars["W\(round)_\($0)"] != .string(String($0)) }
        #expect(lost.isEmpty, "acknowledged writes missing after the failover: \(lost)")

        let rolledOut = ContinuousClock.now
        try await survivor.waitForRelease(app, version: release, status: "active", timeout: .seconds(120))
        let rollout = ContinuousClock.now - rolledOut
        try await expectConverged(survivor, app: app, release: release, version: version)
        #expect(try await survivor.get("/apps/\(app)/releases/\(release - 1)")["status"] == "superseded")
        print("""
            failover (\(point.rawValue)): the other replica led \(milliseconds(failover)) ms after the kill; \
            v\(release) active \(milliseconds(rollout)) ms after that; \(acknowledged) writes acknowledged before the kill, all kept
            """)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The app runs exactly its two web instances, both of `release`, each once, each one that
    /// the store routes to, and stays so over two resyncs.
    static func expectConverged(_ env: ContainerEnvironment, app: String, release: Int, version: String) async throws {
        // Retired instances of the release before go after their drain period.
        try await env.waitUntil("only release \(release) running", timeout: .seconds(60)) {
            let containers = try await podmanContainers(app)
            return containers.count == 2 && containers.allSatisfy { $0.release == release && $0.running }
        }
        try await env.waitUntil("the app running") { try await env.get("/apps/\(app)")["status"] == "running" }
        let settled = try await podmanContainers(app)
        try await Task.sleep(for: .seconds(5))  // two resyncs: nothing more is started or removed
        let containers = try await podmanContainers(app)
        #expect(containers == settled, "the containers changed after the rollout: \(settled) -> \(containers)")
        #expect(containers.compactMap(\.index).sorted() == [1, 2], "not one container per instance: \(containers)")
        #expect(Set(containers.map(\.name)).count == containers.count)
        #expect(containers.allSatisfy { $0.process == "web" && $0.release == release && $0.running })
        // The store accounts for every container: its upstreams are exactly their host ports.
        let upstreams = try await env.upstreams(app)
        #expect(Set(upstreams) == Set(containers.compactMap(\.hostPort).map { "127.0.0.1:\($0)" }), "\(upstreams) vs \(containers)")
        #expect(upstreams.count == 2)
        let web = try await env.get("/apps/\(app)/ps")["processes"]?.arrayValue?.first { $0["type"] == "web" }
        #expect(web?["running"] == 2)
        for upstream in upstreams {
            #expect(try await HTTP.request("GET", "http://\(upstream)/").body.contains("version: \(version)"))
        }
    }

    /// The replica that leads, once one does.
    static func leader(of replicas: [DaemonProcess], within timeout: Duration) async throws -> DaemonProcess {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for replica in replicas where await leads(replica) { return replica }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw DaemonError(message: "no replica leads")
    }

    static func leads(_ replica: DaemonProcess) async -> Bool {
        (try? await HTTP.request("GET", "\(replica.baseURL)/health", timeout: .seconds(2)))?.body.contains(#""leader":true"#) == true
    }

    /// A container of the app as Podman lists it, read through pvdify's labels (`pvdify.*`).
    struct PodmanContainer: Equatable, CustomStringConvertible {
        let name: String
        let running: Bool
        let process: String?
        let index: Int?
        let release: Int?
        let hostPort: Int?
        var description: String { "\(name) (\(running ? "running" : "not running"), release \(release.map(String.init) ?? "?"))" }
    }

    /// Every container with the app's label, from Podman itself (any state, any pvdifyd).
    static func podmanContainers(_ app: String) async throws -> [PodmanContainer] {
        let listed = try await ChildProcess.run(
            "/usr/bin/podman",
            ["--url", "unix://\(ContainerEnvironment.podmanSocket!)", "ps", "-a", "--filter", "label=pvdify.app=\(app)", "--format", "json"],
            environment: ProcessInfo.processInfo.environment)
        guard listed.status == 0 else { throw DaemonError(message: "podman ps failed: \(listed.output)") }
        // Anything before the JSON array (a warning on standard error) is skipped.
        let json = listed.output.drop { $0 != "[" }
        let containers = try JSONValue.parse(json: Data(json.utf8)).arrayValue ?? []
        return containers.map { container in
            let labels = container["Labels"]?.objectValue ?? [:]
            return PodmanContainer(
                name: container["Names"]?[0]?.stringValue ?? "",
                running: container["State"] == "running",
                process: labels["pvdify.process"]?.stringValue,
                index: labels["pvdify.index"]?.stringValue.flatMap { Int($0) },
                release: labels["pvdify.release"]?.stringValue.flatMap { Int($0) },
                hostPort: labels["pvdify.host-port"]?.stringValue.flatMap { Int($0) })
        }.sorted { $0.name < $1.name }
    }

    /// Stops the replicas, removes whatever containers of the app are left, drops the database.
    static func cleanUp(_ replicas: [DaemonProcess], app: String, database: String) async {
        replicas.forEach { $0.cleanUp() }
        for container in (try? await podmanContainers(app)) ?? [] {
            _ = try? await ChildProcess.run(
                "/usr/bin/podman", ["--url", "unix://\(ContainerEnvironment.podmanSocket!)", "rm", "-f", "-t", "0", container.name],
                environment: ProcessInfo.processInfo.environment)
        }
        try? await TestPostgres.dropDatabase(database)
    }
}
