import Foundation
import Testing
@testable import PvdifyModel

/// The checks on raw YAML and JSON text that run before any tree is built.
@Suite struct DocumentLimitsTests {
    static func refusal(_ body: () throws -> Any) -> ValidationError? {
        do {
            _ = try body()
            return nil
        } catch let error as ValidationError {
            return error
        } catch {
            return nil
        }
    }

    @Test func yamlAliasesAndAnchorsAreRefusedBeforeComposing() throws {
        var bomb = "x0: &a0 [" + Array(repeating: "lol", count: 9).joined(separator: ", ") + "]\n"
        for level in 1..<12 {
            bomb += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        let started = ContinuousClock.now
        #expect(Self.refusal { try YAMLDocuments.parse(bomb) }?.message.contains("anchors") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(Self.refusal { try YAMLDocuments.parse("a: *x\n") }?.message.contains("aliases") == true)
        #expect(Self.refusal { try YAMLDocuments.parse("a: &x 1\n") }?.message.contains("line 1") == true)
        // `&` and `*` inside scalars are text, not anchors.
        #expect(try YAMLDocuments.parseOne("cmd: \"ls *.txt && echo &\"\nplain: a*b&c\n")["plain"] == "a*b&c")
    }

    @Test func yamlShapeLimits() throws {
        let limits = DocumentLimits(maxDocuments: 3, maxDepth: 4, maxNodes: 20, maxScalarBytes: 10)
        #expect(try YAMLDocuments.parse("a: [[[1]]]\n", limits: limits).count == 1)  // depth 4
        #expect(Self.refusal { try YAMLDocuments.parse("a: [[[[1]]]]\n", limits: limits) }?.message.contains("deeper than 4") == true)
        #expect(Self.refusal { try YAMLDocuments.parse("--- 1\n--- 2\n--- 3\n--- 4\n", limits: limits) }?.message.contains("more than 3 documents") == true)
        #expect(Self.refusal { try YAMLDocuments.parse("a: [" + Array(repeating: "1", count: 30).joined(separator: ",") + "]\n", limits: limits) }?.message.contains("more than 20 nodes") == true)
        #expect(Self.refusal { try YAMLDocuments.parse("a: 12345678901\n", limits: limits) }?.message.contains("longer than") == true)
        #expect(try YAMLDocuments.parse("a: 1234567890\n", limits: limits).count == 1)
        // The standard limits admit the documented example.
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/app.yaml")
        #expect(try YAMLDocuments.parse(try String(contentsOf: example, encoding: .utf8)).count == 1)
    }

    @Test func jsonDuplicateKeysAreRefusedNamingTheField() throws {
        let cases: [(String, String)] = [
            (#"{"a":1,"a":2}"#, "a"),
            (#"{"vars":{"K":"1","K":"2"}}"#, "vars.K"),
            (#"{"vars":{"A":"1","\u0041":"2"}}"#, "vars.A"),
            (#"{"documents":[{},{"metadata":{"name":"x","name":"y"}}]}"#, "documents[1].metadata.name"),
        ]
        for (body, field) in cases {
            let error = Self.refusal { try JSONValue.parseStrict(json: Data(body.utf8)) }
            #expect(error?.field == field, "\(body): \(String(describing: error))")
            #expect(error?.message.contains("twice") == true)
        }
    }

    @Test func jsonShapeLimitsAndOrdinaryBodies() throws {
        let limits = DocumentLimits(maxDocuments: 3, maxDepth: 3, maxNodes: 10, maxScalarBytes: 5)
        #expect(try JSONValue.parseStrict(json: Data(#"{"a":[[1]]}"#.utf8), limits: limits) == ["a": [[1]]])
        #expect(Self.refusal { try JSONValue.parseStrict(json: Data(#"{"a":[[[1]]]}"#.utf8), limits: limits) }?.message.contains("deeper than 3") == true)
        #expect(Self.refusal { try JSONValue.parseStrict(json: Data("[1,2,3,4,5,6,7,8,9,10]".utf8), limits: limits) }?.message.contains("more than 10") == true)
        #expect(Self.refusal { try JSONValue.parseStrict(json: Data(#"{"a":"123456"}"#.utf8), limits: limits) }?.field == "a")
        // Escapes, numbers, literals and space pass through to the same tree as the plain parser's.
        let body = #" { "s" : "a\"b\\c\u00e9" , "n" : -1.5e3 , "t" : true , "f" : false , "z" : null , "l" : [ ] , "o" : { } } "#
        #expect(try JSONValue.parseStrict(json: Data(body.utf8)) == (try JSONValue.parse(json: Data(body.utf8))))
        for broken in [#"{"a":1"#, #"{"a" 1}"#, #"{"a":}"#, "[1,,2]", #"{"a":1}}"#, #"""#, ""] {
            #expect(Self.refusal { try JSONValue.parseStrict(json: Data(broken.utf8)) } != nil, "\(broken)")
        }
    }
}
