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
        let registered = Set(harness.routes.endpoints.map { "\($0.method.rawValue) \($0.path)" })
        #expect(registered.subtracting(documented).isEmpty, "not in the spec: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "not served: \(documented.subtracting(registered).sorted())")
        #expect(registered.count == 50)
    }
}
