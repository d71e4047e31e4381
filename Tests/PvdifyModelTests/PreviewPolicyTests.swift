import Foundation
import Testing
import PvdifyModel

@Suite struct PreviewPolicyTests {
    func parse(_ json: String, base: PreviewPolicy = PreviewPolicy()) throws -> PreviewPolicy {
        try PreviewPolicy.parse(FieldReader(try JSONValue.parse(json: Data(json.utf8)), path: "previews"), base: base)
    }

    @Test func defaults() {
        let policy = PreviewPolicy()
        #expect(policy.ttlSeconds == 7 * 86_400)
        #expect(policy.ttlText == "7d")
        #expect(policy.max == 10)
        #expect(policy.secrets.isEmpty)
        #expect(policy.forks == false)
        #expect(policy.image == nil)
    }

    @Test(arguments: [("7d", 604_800), ("12h", 43_200), ("90s", 90), ("1m30s", 90), ("365d", 31_536_000)])
    func ttls(text: String, seconds: Int) throws {
        #expect(try PreviewPolicy.parseTTL(text, field: "ttl") == seconds)
    }

    @Test(arguments: ["0s", "366d", "1500ms", "+7d", "d", "7 d", "-1d", "7w", ""])
    func badTTLs(text: String) {
        #expect(throws: ValidationError.self) { try PreviewPolicy.parseTTL(text, field: "ttl") }
    }

    @Test func patchChangesOnlyWhatItNamesAndNullResets() throws {
        let first = try parse(#"{"ttl":"2s","max":3,"secrets":["B","A","A"],"forks":true,"scale":{"web":2},"config":{"X":"1"}}"#)
        #expect(first.ttlSeconds == 2 && first.max == 3 && first.secrets == ["A", "B"] && first.forks)
        #expect(first.scale == ["web": 2] && first.config == ["X": "1"])
        let second = try parse(#"{"max":null,"image":"reg.io/a:pr-{number}"}"#, base: first)
        #expect(second.max == 10 && second.ttlSeconds == 2 && second.image == "reg.io/a:pr-{number}")
    }

    @Test(arguments: [
        (#"{"max":101}"#, "previews.max"), (#"{"scale":{"web":101}}"#, "previews.scale.web"),
        (#"{"secrets":["PORT"]}"#, "previews.secrets[0]"), (#"{"config":{"1X":"a"}}"#, "previews.config.1X"),
        (#"{"image":"reg.io/a:{tag}"}"#, "previews.image"), (#"{"image":"reg.io/a:{number"}"#, "previews.image"),
        (#"{"forks":"yes"}"#, "previews.forks"), (#"{"nope":1}"#, "previews.nope"),
    ])
    func refusals(json: String, field: String) throws {
        do {
            _ = try parse(json)
            Issue.record("accepted \(json)")
        } catch let error as ValidationError {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func templates() {
        #expect(PreviewPolicy.templateProblem("ghcr.io/org/app:pr-{number}") == nil)
        #expect(PreviewPolicy.templateProblem("ghcr.io/org/app:sha-{sha}") == nil)
        #expect(PreviewPolicy.templateProblem("ghcr.io/org/app:{branch}-{sha}") == nil)
        #expect(PreviewPolicy.templateProblem("ghcr.io/org/{number}app}") != nil)
        #expect(PreviewPolicy.render("r.io/a:{branch}", number: 1, sha: nil, branch: "feat/é x") == "r.io/a:feat---x")
        #expect(PreviewPolicy.render("r.io/a:pr-{number}-{sha}", number: 42, sha: "abc1234", branch: nil) == "r.io/a:pr-42-abc1234")
    }

    @Test func derivedSpecAndConfig() {
        let parent = AppSpec(
            image: "r.io/a:v1", processes: ["web": ProcessSpec(command: nil, count: 3), "worker": ProcessSpec(command: "work", count: 2)],
            restarts: ["web": Date()], previews: PreviewPolicy(scale: ["worker": 0], config: ["DB": "staging"], secrets: ["S1"]))
        let spec = parent.previews.previewSpec(parent: parent, image: "r.io/a:pr-1")
        #expect(spec.environment == .staging && spec.image == "r.io/a:pr-1" && spec.restarts.isEmpty)
        #expect(spec.processes["web"] == ProcessSpec(command: nil, count: 1))
        #expect(spec.processes["worker"] == ProcessSpec(command: "work", count: 0))
        #expect(spec.previews == PreviewPolicy())
        let config = parent.previews.previewConfig(vars: ["DB": "prod", "A": "1"], secrets: ["S1": "x", "S2": "y"], fork: false)
        #expect(config.vars == ["DB": "staging", "A": "1"] && config.secrets == ["S1": "x"])
        #expect(parent.previews.previewConfig(vars: [:], secrets: ["S1": "x"], fork: true).secrets.isEmpty)
    }

    @Test func recordFieldRules() {
        #expect(Preview.headSHAProblem("abc1234") == nil)
        #expect(Preview.headSHAProblem("ABC1234") != nil)
        #expect(Preview.headSHAProblem("abc12") != nil)
        #expect(Preview.branchProblem("feature/login-2") == nil)
        #expect(Preview.branchProblem("a..b") != nil)
        #expect(Preview.branchProblem("a b") != nil)
        #expect(Preview.branchProblem("-x") != nil)
    }
}
