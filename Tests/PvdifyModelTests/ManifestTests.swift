import Foundation
import Testing
@testable import PvdifyModel

@Suite struct ManifestTests {
    static let full = """
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: myapp, labels: {team: web}}
        spec:
          environment: staging
          image: registry.example.com/org/app:v1.2.3
          processes:
            web:    {command: npm start, count: 2}
            worker: {command: npm run worker, count: 1}
          domains: [MyApp.com, www.myapp.com]
          resources: {memory: 512M, cpu: 0.5}
          healthcheck: {path: /health, interval: 30s, timeout: 5s, deploy_timeout: 60s}
          config: {NODE_ENV: production, PORTS: "8080", DEBUG: off, RETRIES: "3"}
          secrets: [API_KEY]
        status: {phase: running}
        """

    @Test func parsesTheArchitectureExample() throws {
        let manifest = try AppManifest.parse(try YAMLDocuments.parseOne(Self.full))
        #expect(manifest.name == "myapp")
        #expect(manifest.spec.environment == .staging)
        #expect(manifest.spec.image == "registry.example.com/org/app:v1.2.3")
        #expect(manifest.spec.processes["web"] == ProcessSpec(command: "npm start", count: 2))
        #expect(manifest.domains == ["myapp.com", "www.myapp.com"])
        #expect(manifest.spec.resources.memory?.bytes == 512 << 20)
        #expect(manifest.spec.resources.cpu == 0.5)
        #expect(manifest.spec.healthcheck.deployTimeout.milliseconds == 60_000)
        #expect(manifest.config == ["NODE_ENV": "production", "PORTS": "8080", "DEBUG": "off", "RETRIES": "3"])
        #expect(manifest.secrets == ["API_KEY"])
        #expect(manifest.spec.labels == ["team": "web"])
    }

    @Test func defaultsForAMinimalManifest() throws {
        let manifest = try AppManifest.parse(try YAMLDocuments.parseOne("apiVersion: pvdify.win/v1\nkind: App\nmetadata: {name: tiny}\n"))
        #expect(manifest.spec.processes == ["web": ProcessSpec(command: nil, count: 1)])
        #expect(manifest.spec.environment == .production)
        #expect(manifest.spec.healthcheck == Healthcheck())
    }

    @Test(arguments: [
        ("count: 2}", "count: 101}", "spec.processes.web.count"),
        ("count: 2}", "count: two}", "spec.processes.web.count"),
        ("environment: staging", "environment: prod", "spec.environment"),
        ("kind: App", "kind: Pod", "kind"),
        ("name: myapp", "name: My_App", "metadata.name"),
        ("image: registry.example.com/org/app:v1.2.3", "image: 'not an image'", "spec.image"),
        ("[MyApp.com, www.myapp.com]", "[myapp.com, myapp.com]", "spec.domains[1]"),
        ("[MyApp.com, www.myapp.com]", "[bad_domain]", "spec.domains[0]"),
        ("secrets: [API_KEY]", "secrets: [NODE_ENV]", "spec.secrets[0]"),
        ("cpu: 0.5", "cpus: 0.5", "spec.resources.cpus"),
        ("healthcheck:", "healthchek:", "spec.healthchek"),
        ("path: /health", "path: health", "spec.healthcheck.path"),
        ("RETRIES: \"3\"", "RETRIES: 3", "spec.config.RETRIES"),
        ("DEBUG: off", "DEBUG: true", "spec.config.DEBUG"),
        ("team: web", "team: 1", "metadata.labels.team"),
    ])
    func errorsNameTheField(_ change: (String, String, String)) throws {
        let text = Self.full.replacingOccurrences(of: change.0, with: change.1)
        #expect(text != Self.full)
        do {
            _ = try AppManifest.parse(try YAMLDocuments.parseOne(text))
            Issue.record("accepted \(change.1)")
        } catch let error as ValidationError {
            #expect(error.field == change.2, "\(error)")
        }
    }

    @Test func unknownFieldsSuggestTheNearestName() throws {
        let text = Self.full.replacingOccurrences(of: "healthcheck:", with: "healthchek:")
        #expect(throws: ValidationError(field: "spec.healthchek", message: "unknown field; did you mean 'healthcheck'?")) {
            try AppManifest.parse(try YAMLDocuments.parseOne(text))
        }
    }

    @Test func yamlKeepsQuotedAndWordyScalarsAsText() throws {
        let value = try YAMLDocuments.parseOne("a: \"123\"\nb: 123\nc: no\nd: true\ne: ~\nf: 1.5\ng: 2026-01-01\n")
        #expect(value == .object([
            "a": .string("123"), "b": .int(123), "c": .string("no"), "d": .bool(true), "e": .null, "f": .double(1.5),
            "g": .string("2026-01-01"),
        ]))
    }

    @Test func yamlSyntaxErrorsSayWhere() {
        do {
            _ = try YAMLDocuments.parse("spec:\n  processes: [unclosed\n")
            Issue.record("accepted broken YAML")
        } catch let error as ValidationError {
            #expect(error.message.contains("line"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: ValidationError.self) { try YAMLDocuments.parse("a: 1\na: 2\n") }
    }

    @Test func multiDocumentYAML() throws {
        let documents = try YAMLDocuments.parse("a: 1\n---\nb: 2\n")
        #expect(documents.count == 2)
        #expect(documents[1].line == 3)
    }

    @Test func documentRoundTrips() throws {
        let manifest = try AppManifest.parse(try YAMLDocuments.parseOne(Self.full))
        let json = try JSONEncoder().encode(manifest.document(status: nil))
        let again = try AppManifest.parse(try JSONValue.parse(json: json))
        #expect(again == manifest)
    }
}
