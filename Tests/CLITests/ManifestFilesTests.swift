import Foundation
import PvdifyModel
import Testing
@testable import pvdify

/// `manifests/app.yaml`, `manifests/app.schema.json`, the examples, and how the CLI reads
/// manifest files and points at mistakes.
@Suite struct ManifestFilesTests {
    static let root = Binaries.repositoryRoot

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func commentedManifestIsValidAndDocumentsEveryField() throws {
        let document = try YAMLDocuments.parseOne(try Self.text("manifests/app.yaml"))
        let manifest = try AppManifest.parse(document)
        #expect(manifest.name == "myapp")
        let spec = try #require(document["spec"]?.objectValue)
        #expect(Set(spec.keys) == ["environment", "image", "processes", "domains", "resources", "healthcheck", "config", "secrets", "previews", "github"])
        #expect(Set(document["spec"]?["previews"]?.objectValue?.keys.map { $0 } ?? []) == ["ttl", "max", "scale", "config", "secrets", "image", "forks"])
        #expect(manifest.spec.previews.image == "registry.example.com/myapp:pr-{number}")
        #expect(manifest.spec.github == GitHubLink(repo: "example-org/myapp", ref: "refs/heads/main", environment: "production"))
        #expect(document["metadata"]?["labels"] != nil)
        #expect(document["spec"]?["processes"]?["web"]?["command"] != nil)
        #expect(Set(document["spec"]?["resources"]?.objectValue?.keys.map { $0 } ?? []) == ["memory", "cpu"])
        #expect(Set(document["spec"]?["healthcheck"]?.objectValue?.keys.map { $0 } ?? []) == ["path", "interval", "timeout", "deploy_timeout"])
        #expect(manifest.spec.processes["worker"]?.count == 1)
        #expect(manifest.secrets == ["STRIPE_KEY"])
    }

    @Test func examplesAreValidManifests() throws {
        let documents = try ManifestSource.load(
            [
                "examples/hello/app.yaml", "examples/web-worker/app.yaml", "examples/domains-and-secrets/app.yaml",
                "examples/gitops-repo/apps",
            ].map { Self.root.appendingPathComponent($0).path }, recursive: false)
        let manifests = try ManifestSource.validate(documents)
        #expect(manifests.map(\.name) == ["hello", "web-worker", "shop", "api", "www", "www-staging"])
        #expect(manifests[0].spec.image == "127.0.0.1:5000/pvdify-test:v1")
        #expect(manifests[1].spec.processes["worker"]?.command == "/app/run.sh worker")
        #expect(manifests[2].secrets == ["STRIPE_KEY"] && manifests[2].domains.count == 2)
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("examples/gitops-repo/README.md").path))
    }

    /// The GitOps example repository as a whole: its Source document and its apps validate, and
    /// the Source reads exactly the apps/ folder on main.
    @Test func theGitOpsExampleRepositoryIsValid() throws {
        let documents = try ManifestSource.load([Self.root.appendingPathComponent("examples/gitops-repo").path], recursive: true)
        let apps = try ManifestSource.validate(documents)
        #expect(apps.map(\.name) == ["api", "www", "www-staging"])
        #expect(apps.allSatisfy { $0.spec.image == "127.0.0.1:5000/pvdify-test:v1" && $0.spec.healthcheck.path == "/health" })
        let sources = try documents.filter { SourceManifest.isSource($0.value) }.map { try SourceManifest.parse($0.value) }
        #expect(sources.count == 1)
        #expect(sources.first?.name == "platform")
        #expect(sources.first?.spec == SourceSpec(url: "file:///srv/git/platform.git", ref: .branch("main"), path: "apps", prune: true))
        #expect(documents.filter { SourceManifest.isSource($0.value) }.map(\.file).allSatisfy { $0.hasSuffix("examples/gitops-repo/source.yaml") })
    }

    @Test func errorsPointAtFileLineAndColumn() throws {
        let text = """
            apiVersion: pvdify.win/v1
            kind: App
            metadata:
              name: good
            ---
            apiVersion: pvdify.win/v1
            kind: App
            metadata:
              name: bad
              labels: {app.kubernetes.io/name: x}
            spec:
              resorces: {memory: 1G}
              processes:
                web:
                  count: 200
              domains: [a.com, a.com]
            """
        let documents = try ManifestSource.parse(text, file: "apps/x.yaml")
        #expect(documents.count == 2)
        #expect(documents[1].position == 2 && documents[1].appName == "bad")
        #expect(documents[1].place(of: "spec.processes.web.count") == "apps/x.yaml:15:7 (document 2, app 'bad')")
        #expect(documents[1].place(of: "spec.resorces") == "apps/x.yaml:12:3 (document 2, app 'bad')")
        #expect(documents[1].place(of: "spec.domains[1]").hasPrefix("apps/x.yaml:16:20"))
        #expect(documents[1].place(of: "metadata.labels.app.kubernetes.io/name").hasPrefix("apps/x.yaml:10:12"))
        #expect(documents[1].place(of: "spec.nothing.here").hasPrefix("apps/x.yaml:12:3"))
        do {
            _ = try ManifestSource.validate(documents)
            Issue.record("expected an error")
        } catch let error as CLIError {
            #expect(error.message == "apps/x.yaml:12:3 (document 2, app 'bad'): spec.resorces: unknown field; did you mean 'resources'?")
        }

        do {
            _ = try ManifestSource.parse("kind: App\n---\nmetadata:\n  name: [oops\n", file: "b.yaml")
            Issue.record("expected a syntax error")
        } catch let error as CLIError {
            #expect(error.message.hasPrefix("b.yaml:5:1: YAML syntax error in document 2:"), "\(error.message)")
        }
        // `{"documents": [...]}` and empty documents.
        let wrapped = try ManifestSource.parse(#"{"documents": [{"kind": "App"}, null, {"kind": "App"}]}"#, file: "c.json")
        #expect(wrapped.map(\.position) == [1, 2])
        #expect(try ManifestSource.parse("---\n---\nkind: App\n---\n", file: "d.yaml").map(\.position) == [2])
    }

    /// The server's limits hold for files too, checked before the text is composed: an alias bomb
    /// is refused at once instead of expanding, and so is nesting past 64 levels.
    @Test func hostileFilesAreRefusedBeforeComposing() {
        var bomb = "x0: &a0 [" + Array(repeating: "lol", count: 9).joined(separator: ", ") + "]\n"
        for level in 1..<12 {
            bomb += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        let deep = "spec: " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "\n"
        for (text, words) in [(bomb, "anchors and aliases"), (deep, "deeper than 64")] {
            do {
                _ = try ManifestSource.parse(text, file: "bomb.yaml")
                Issue.record("accepted \(words)")
            } catch let error as CLIError {
                #expect(error.message.hasPrefix("bomb.yaml: ") && error.message.contains(words), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func serverErrorsAreMappedBackToFiles() throws {
        let documents = try ManifestSource.parse(
            "apiVersion: pvdify.win/v1\nkind: App\nmetadata:\n  name: shop\nspec:\n  secrets: [STRIPE_KEY]\n", file: "shop.yaml")
        let body = #"{"error":{"code":"invalid_request","field":"documents[0].spec.secrets[0]","message":"documents[0] (app 'shop'): spec.secrets[0]: secret 'STRIPE_KEY' is not set"}}"#
        let error = ManifestSource.apiProblems(.init(status: 422, contentType: "application/json", body: Data(body.utf8)), documents: documents)
        #expect(error.message == "shop.yaml:6:13 (document 1, app 'shop'): spec.secrets[0]: secret 'STRIPE_KEY' is not set")
        #expect(ManifestSource.documentIndex("documents[12].spec.image")! == (12, "spec.image"))
        #expect(ManifestSource.documentIndex("spec.image") == nil)
    }

    // MARK: - The JSON Schema agrees with the validator

    static let validSamples: [String] = [
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"Octo-Org/.github"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"o/my_app-2.x"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":null}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"ttl":"2s","max":3,"scale":{"web":2},"config":{"DB":"x"},"secrets":["A"],"image":"reg.io/a:pr-{number}","forks":true}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"ttl":"30d","max":null,"forks":null}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a","labels":{"app.kubernetes.io/name":"x","n":"3"}},"spec":null}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a-1"},"spec":{"image":null,"processes":{"web":{"count":2.0},"worker":{"command":null}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"N":"3","F":"true","S":"x"},"secrets":["API_KEY"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"status":{"phase":"running","anything":[1,2]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"reg.io:5000/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"nginx"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"localhost/app:v1.2-rc_1"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"domains":["WWW.Example.com","x.io"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"healthcheck":{"path":"/healthz?x=1","interval":"1m30s","timeout":"500ms","deploy_timeout":"2m"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"resources":{"memory":"256Mi","cpu":0.25},"environment":"staging"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"abcdefghijabcdefghijabcdefghij"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"secrets":["K"],"sealed_secrets":{"K":"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"}}}"#,
    ]

    static let invalidSamples: [String] = [
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"a/b/c"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"org/.."}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"-org/x"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"github":{"repo":"o/x","ref":"main"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"max":0}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"ttl":"7w"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"nope":1}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"previews":{"secrets":["PORT"]}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"specs":{}}"#,
        #"{"apiVersion":"v1","kind":"App","metadata":{"name":"a"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"Deployment","metadata":{"name":"a"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App"}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"MyApp"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"abcdefghijabcdefghijabcdefghijk"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"app-"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a","annotations":{}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a","labels":{"bad key":"x"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"resorces":{}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":{"count":101}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":{"count":-1}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":{"count":"two"}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":{"count":1,"replicas":2}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"Web":{"count":1}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":{"command":"a\nb"}}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"processes":{"web":null}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"environment":"dev"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"https://reg.io/app:v1"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"reg.io/App:v1"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":123}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"image":"app@sha256:abc"}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"domains":["localhost"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"domains":["1.2.3.4"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"domains":["a.com","a.com"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"domains":["-a.com"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"PORT":"80"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"1X":"y"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"K":null}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"K":"[REDACTED]"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"K":["x"]}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"N":3}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"config":{"F":true}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a","labels":{"n":3}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"secrets":["bad-name"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"sealed_secrets":{"K":"plain text"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"sealed_secrets":{"K":"\u00a0-----BEGIN AGE ENCRYPTED FILE-----\n"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"sealed_secrets":{"bad-name":"-----BEGIN AGE ENCRYPTED FILE-----\n"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"sealed_secrets":{"K":null}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"sealed_secrets":["K"]}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"resources":{"memory":"lots"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"resources":{"cpu":0}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"resources":{"gpu":1}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"healthcheck":{"path":"health"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"healthcheck":{"interval":"30 seconds"}}}"#,
        #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"a"},"spec":{"healthcheck":{"retries":3}}}"#,
    ]

    /// Whether `python3` with `jsonschema` is there to check the schema with.
    static let pythonHasJSONSchema: Bool = {
        (try? runPython("import jsonschema", input: "")).map { $0.status == 0 } ?? false
    }()

    static func runPython(_ script: String, input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in"), outputFile = directory.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: inputFile.path, contents: Data(input.utf8))
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: outputFile)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: outputFile, encoding: .utf8))
    }

    @Test(.enabled(if: pythonHasJSONSchema, "needs python3 with jsonschema"))
    func schemaAgreesWithTheValidator() throws {
        let samples = Self.validSamples + Self.invalidSamples + [Output.json(try YAMLDocuments.parseOne(try Self.text("manifests/app.yaml")))]
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "\(Self.root.path)/manifests/app.schema.json"))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = cls(schema)
            print(json.dumps([validator.is_valid(json.loads(line)) for line in sys.stdin.read().split("\\u0001")]))
            """
        let run = try Self.runPython(script, input: samples.joined(separator: "\u{1}"))
        try #require(run.status == 0, "\(run.output)")
        let verdicts = try JSONValue.parse(json: Data(run.output.utf8)).arrayValue?.compactMap(\.boolValue) ?? []
        try #require(verdicts.count == samples.count)
        for (sample, schemaSays) in zip(samples, verdicts) {
            let validatorSays = (try? AppManifest.parse(try JSONValue.parse(json: Data(sample.utf8)))) != nil
            #expect(schemaSays == validatorSays, "schema says \(schemaSays), validator \(validatorSays): \(sample)")
        }
        #expect(verdicts.prefix(Self.validSamples.count).allSatisfy { $0 })
        #expect(verdicts.dropFirst(Self.validSamples.count).prefix(Self.invalidSamples.count).allSatisfy { !$0 })
    }
}
