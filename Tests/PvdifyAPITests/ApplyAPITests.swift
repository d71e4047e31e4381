import Foundation
import PvdifyModel
import Testing
@testable import PvdifyAPI

/// `POST /api/v1/apply`: many documents, validated before any is applied, all or nothing,
/// idempotent, with a dry run that answers a diff; and every example applies.
@Suite struct ApplyAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let twoApps = """
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: web}
        spec:
          image: reg.io/org/web:v1
          processes:
            web: {count: 2}
          config: {GREETING: hi}
        ---
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: jobs}
        spec:
          processes:
            worker: {command: ./run worker, count: 1}
        ---
        """

    func apply(_ api: APIClient, _ yaml: String, dryRun: Bool = false) async throws -> APIClient.Reply {
        try await api.send(.post, "/api/v1/apply" + (dryRun ? "?dry_run=true" : ""), body: yaml, contentType: "application/yaml")
    }

    @Test func appliesManyDocumentsIdempotently() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let first = try await apply(api, Self.twoApps)
            #expect(first.status == .ok, "\(first.text)")
            let results = try #require(first.json["results"]?.arrayValue)
            #expect(results.count == 2)
            #expect(results[0]["name"] == "web" && results[0]["action"] == "created")
            #expect(results[0]["release"] == 1 && results[0]["config_version"] == "v1")
            #expect(results[1]["name"] == "jobs" && results[1]["action"] == "created")
            #expect(results[1]["release"] == .null && results[1]["config_version"] == .null)
            #expect(results[0]["diff"]?.stringValue?.hasPrefix("--- /dev/null\n+++ manifest/app/web\n") == true)
            #expect(first.json["dry_run"] == false)
            #expect(try await api.get("/api/v1/apps/web").json["processes"]?["web"]?["count"] == 2)
            #expect(try await api.get("/api/v1/apps/jobs/ps").json["processes"]?[0]?["type"] == "worker")

            // The same documents again: nothing changes, no new release, no new version.
            let generation = try await api.get("/api/v1/apps/web").json["generation"]
            let again = try await apply(api, Self.twoApps)
            #expect(again.json["results"]?[0]?["action"] == "unchanged" && again.json["results"]?[1]?["action"] == "unchanged")
            #expect(again.json["results"]?[0]?["release"] == .null && again.json["results"]?[0]?["diff"] == "")
            #expect(try await api.get("/api/v1/apps/web").json["generation"] == generation)
            #expect(try await api.get("/api/v1/apps/web/releases").json["releases"]?.arrayValue?.count == 1)
            #expect(try await api.get("/api/v1/apps/web/config/versions").json["versions"]?.arrayValue?.count == 1)

            // Counts scale without a release; a new image is a release; new config a version and a release.
            let scaled = try await apply(api, Self.twoApps.replacingOccurrences(of: "{count: 2}", with: "{count: 3}"))
            #expect(scaled.json["results"]?[0]?["action"] == "configured" && scaled.json["results"]?[0]?["release"] == .null)
            #expect(try await api.get("/api/v1/apps/web").json["processes"]?["web"]?["count"] == 3)
            let image = try await apply(api, Self.twoApps.replacingOccurrences(of: "web:v1", with: "web:v2"))
            #expect(image.json["results"]?[0]?["release"] == 2 && image.json["results"]?[0]?["config_version"] == .null)
            let config = try await apply(api, Self.twoApps.replacingOccurrences(of: "web:v1", with: "web:v2").replacingOccurrences(of: "hi", with: "hello"))
            #expect(config.json["results"]?[0]?["release"] == 3 && config.json["results"]?[0]?["config_version"] == "v2")
            #expect(try await api.get("/api/v1/apps/web/logs").text.contains("Manifest applied by admin"))
        }
    }

    @Test func dryRunChangesNothingAndAnswersADiff() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let preview = try await apply(api, Self.twoApps, dryRun: true)
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview.json["dry_run"] == true)
            #expect(preview.json["results"]?[0]?["action"] == "created" && preview.json["results"]?[0]?["release"] == 1)
            #expect(try await api.get("/api/v1/apps").json["apps"]?.arrayValue?.isEmpty == true)

            _ = try await apply(api, Self.twoApps)
            let changed = Self.twoApps.replacingOccurrences(of: "web:v1", with: "web:v2")
            let dry = try await apply(api, changed, dryRun: true)
            let diff = try #require(dry.json["results"]?[0]?["diff"]?.stringValue)
            #expect(dry.json["results"]?[0]?["action"] == "configured")
            #expect(diff.hasPrefix("--- live/app/web\n+++ manifest/app/web\n@@ "))
            #expect(diff.contains("\n-  image: reg.io/org/web:v1\n+  image: reg.io/org/web:v2\n"))
            #expect(dry.json["results"]?[1]?["action"] == "unchanged" && dry.json["results"]?[1]?["diff"] == "")
            #expect(try await api.get("/api/v1/apps/web/releases").json["releases"]?.arrayValue?.count == 1)
            #expect(try await api.get("/api/v1/apps/web").json["image"] == "reg.io/org/web:v1")
            #expect(try await api.send(.post, "/api/v1/apply?dry_run=maybe", body: changed, contentType: "application/yaml").errorField == "dry_run")
        }
    }

    @Test func everyDocumentIsValidatedBeforeAnyIsApplied() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let bad = Self.twoApps
                .replacingOccurrences(of: "worker: {command: ./run worker, count: 1}", with: "worker: {command: ./run worker, count: 500}")
                .replacingOccurrences(of: "config: {GREETING: hi}", with: "confg: {GREETING: hi}")
            let reply = try await apply(api, bad)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorCode == "invalid_request")
            #expect(reply.errorField == "documents[0].spec.confg")
            let errors = try #require(reply.json["error"]?["errors"]?.arrayValue)
            #expect(errors.count == 2)
            #expect(errors[1]["field"] == "documents[1].spec.processes.worker.count")
            #expect(errors[1]["message"]?.stringValue?.hasPrefix("documents[1] (app 'jobs', line ") == true)
            #expect(errors[1]["message"]?.stringValue?.hasSuffix("spec.processes.worker.count: must be between 0 and 100") == true)
            #expect(errors[0]["message"]?.stringValue?.contains("did you mean 'config'?") == true)
            #expect(try await api.get("/api/v1/apps").json["apps"]?.arrayValue?.isEmpty == true)

            // A refusal of the store (a secret that is not set) in the second document leaves the first unapplied.
            let secretless = Self.twoApps.replacingOccurrences(of: "worker: {command: ./run worker, count: 1}", with: "worker: {command: ./run worker, count: 1}\n  secrets: [API_KEY]")
            let refused = try await apply(api, secretless)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.errorField == "documents[1].spec.secrets[0]")
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("documents[1] (app 'jobs'") == true)
            #expect(try await api.get("/api/v1/apps").json["apps"]?.arrayValue?.isEmpty == true)

            // Two documents naming one app, or one domain.
            let twice = try await apply(api, Self.twoApps.replacingOccurrences(of: "{name: jobs}", with: "{name: web}"))
            #expect(twice.errorField == "documents[1].metadata.name")
            let domains = try await apply(api, Self.twoApps.replacingOccurrences(of: "config: {GREETING: hi}", with: "domains: [a.com]")
                .replacingOccurrences(of: "processes:\n    worker", with: "domains: [a.com]\n  processes:\n    worker"))
            #expect(domains.errorField == "documents[1].spec.domains[0]", "\(domains.text)")
            // A domain another app holds is a conflict naming the document.
            try await api.createApp("holder")
            _ = try await api.post("/api/v1/apps/holder/domains", #"{"name":"taken.com"}"#)
            let conflict = try await apply(api, Self.twoApps.replacingOccurrences(of: "config: {GREETING: hi}", with: "domains: [taken.com]"))
            #expect(conflict.status == .conflict && conflict.json["error"]?["message"]?.stringValue?.hasPrefix("documents[0] (app 'web'") == true)

            // Syntax errors, empty bodies and other media types.
            #expect(try await apply(api, "kind: App\nmetadata: {name: [x\n").json["error"]?["message"]?.stringValue?.contains("YAML syntax error") == true)
            #expect(try await apply(api, "---\n").errorField == "documents")
            #expect(try await api.send(.post, "/api/v1/apply", body: "x", contentType: "text/plain").status == .unsupportedMediaType)
        }
    }

    @Test func takesJSONAndChecksTheTokenReachesEveryApp() async throws {
        let harness = try await APIHarness.make()
        let limited = try await harness.token("limited", [.write], apps: ["web"])
        let reader = try await harness.token("reader", [.read])
        try await harness.run { api in
            let documents = try YAMLDocuments.parse(Self.twoApps).map(\.value)
            let body = String(decoding: try JSONEncoder().encode(JSONValue.object(["documents": .array(documents)])), as: UTF8.self)
            let forbidden = try await api.send(.post, "/api/v1/apply", json: body, auth: .bearer(limited))
            #expect(forbidden.status == .forbidden && forbidden.json["error"]?["message"]?.stringValue?.contains("'jobs'") == true)
            #expect(try await api.send(.post, "/api/v1/apply", json: body, auth: .bearer(reader)).status == .forbidden)
            #expect(try await api.get("/api/v1/apps").json["apps"]?.arrayValue?.isEmpty == true)

            let single = String(decoding: try JSONEncoder().encode(documents[0]), as: UTF8.self)
            let reply = try await api.send(.post, "/api/v1/apply", json: single, auth: .bearer(limited))
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["results"]?[0]?["action"] == "created")
            #expect(try await api.send(.post, "/api/v1/apply", json: body).json["results"]?[1]?["action"] == "created")
        }
    }

    @Test func everyExampleApplies() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            func file(_ path: String) throws -> String { try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8) }
            for path in ["examples/hello/app.yaml", "examples/web-worker/app.yaml"] {
                let reply = try await apply(api, try file(path))
                #expect(reply.status == .ok && reply.json["results"]?[0]?["action"] == "created", "\(path): \(reply.text)")
            }
            #expect(try await api.get("/api/v1/apps/web-worker/ps").json["processes"]?[1]?["command"] == "/app/run.sh worker")
            #expect(try await api.get("/api/v1/apps/hello").json["image"] == "127.0.0.1:5000/pvdify-test:v1")

            // The secret first, as the example's README says.
            let shop = try file("examples/domains-and-secrets/app.yaml")
            #expect(try await apply(api, shop).errorField == "documents[0].spec.secrets[0]")
            try await api.createApp("shop")
            #expect(try await api.post("/api/v1/apps/shop/config/secrets", #"{"name":"STRIPE_KEY","value":"sk_test_1"}"#).status == .created)
            let applied = try await apply(api, shop)
            #expect(applied.json["results"]?[0]?["action"] == "configured", "\(applied.text)")
            #expect(try await api.get("/api/v1/apps/shop/domains").json["domains"]?.arrayValue?.count == 2)
            #expect(try await api.get("/api/v1/apps/shop/config").json["vars"]?["STRIPE_KEY"] == "[REDACTED]")

            // The GitOps repository: every file of apps/, as `pvdify apply -f apps/` sends them.
            let directory = Self.root.appendingPathComponent("examples/gitops-repo/apps")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
            let all = try files.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n---\n")
            let gitops = try await apply(api, all)
            #expect(gitops.json["results"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } == ["api", "www", "www-staging"], "\(gitops.text)")
            #expect(try await apply(api, all).json["results"]?.arrayValue?.allSatisfy { $0["action"] == "unchanged" } == true)

            // The commented reference manifest applies too, once its secret is set.
            try await api.createApp("myapp")
            _ = try await api.post("/api/v1/apps/myapp/config/secrets", #"{"name":"STRIPE_KEY","value":"sk_test_1"}"#)
            let reference = try await apply(api, try file("manifests/app.yaml"))
            #expect(reference.status == .ok, "\(reference.text)")
        }
    }
}
