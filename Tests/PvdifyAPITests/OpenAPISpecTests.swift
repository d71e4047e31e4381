import Foundation
import Testing
import Yams
@testable import PvdifyAPI

@Suite struct OpenAPISpecTests {
    /// The routes the server registers and the operations `manifests/openapi.yaml` describes are the same set.
    @Test func specMatchesRegisteredRoutes() async throws {
        let specURL = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/openapi.yaml")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: Any])
        var documented: Set<String> = []
        for (path, value) in paths {
            let operations = try #require(value as? [String: Any])
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let harness = try await APIHarness.make()
        await harness.remove()
        let registered = Set(harness.routes.endpoints.map { "\($0.method.rawValue) \($0.path)" })
        #expect(registered.subtracting(documented).isEmpty, "not in the spec: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "not served: \(documented.subtracting(registered).sorted())")
        #expect(registered.count == 52)
    }
}

extension OpenAPISpecTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A manifest's `spec` is described twice, in `manifests/app.schema.json` and as the API's
    /// `Manifest` schema (which is closed: `additionalProperties: false`). A field in one and not
    /// the other makes `GET /apps/{name}/manifest` answer something its own schema refuses.
    @Test func manifestSpecFieldsAgreeWithTheAppSchema() throws {
        let openAPI = try #require(try Yams.load(yaml: String(contentsOf: Self.repositoryRoot.appendingPathComponent("manifests/openapi.yaml"), encoding: .utf8)) as? [String: Any])
        let schemas = try #require((openAPI["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let manifest = try #require(schemas["Manifest"] as? [String: Any])
        let apiSpec = try #require(((manifest["properties"] as? [String: Any])?["spec"] as? [String: Any])?["properties"] as? [String: Any])

        let appSchemaData = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("manifests/app.schema.json"))
        let appSchema = try #require(try JSONSerialization.jsonObject(with: appSchemaData) as? [String: Any])
        let fileSpec = try #require(((appSchema["properties"] as? [String: Any])?["spec"] as? [String: Any])?["properties"] as? [String: Any])

        #expect(Set(apiSpec.keys) == Set(fileSpec.keys), "only in openapi.yaml: \(Set(apiSpec.keys).subtracting(fileSpec.keys).sorted()); only in app.schema.json: \(Set(fileSpec.keys).subtracting(apiSpec.keys).sorted())")
    }
}

extension OpenAPISpecTests {
    /// The route guard refuses a write with 409 when a source manages the app or when the app is a
    /// preview, before the handler runs, so every guarded operation must document 409: the fuzzer
    /// only meets these answers when it happens to create such an app first.
    @Test func everyGuardedWriteDocumentsConflict() async throws {
        let openAPI = try #require(try Yams.load(yaml: String(contentsOf: Self.repositoryRoot.appendingPathComponent("manifests/openapi.yaml"), encoding: .utf8)) as? [String: Any])
        let paths = try #require(openAPI["paths"] as? [String: Any])
        let harness = try await APIHarness.make()
        await harness.remove()
        var missing: [String] = []
        for endpoint in harness.routes.endpoints
        where ManagedAppGuard.isSpecWrite(endpoint.method, endpoint.path) || ManagedAppGuard.isPreviewWrite(endpoint.method, endpoint.path) {
            let operation = (paths[endpoint.path] as? [String: Any])?[endpoint.method.rawValue.lowercased()] as? [String: Any]
            let responses = operation?["responses"] as? [String: Any] ?? [:]
            if responses["409"] == nil { missing.append("\(endpoint.method.rawValue) \(endpoint.path)") }
        }
        #expect(missing.isEmpty, "guarded writes that do not document 409: \(missing.sorted())")
    }
}
