import Foundation
import PvdifyModel
import Testing

@Suite struct GitHubLinkTests {
    func parse(_ json: String, base: GitHubLink? = nil) throws -> GitHubLink {
        try GitHubLink.parse(FieldReader(try JSONValue.parse(json: Data(json.utf8)), path: "github"), base: base)
    }

    @Test func readsRepoAndConditions() throws {
        let link = try parse(#"{"repo":"Octo-Org/app.web","ref":"refs/heads/main","environment":"production"}"#)
        #expect(link == GitHubLink(repo: "Octo-Org/app.web", ref: "refs/heads/main", environment: "production"))
        #expect(link.matches("octo-org/APP.web"))
        #expect(!link.matches("octo-org/app"))
        // null removes a condition; the repo stays from the base.
        #expect(try parse(#"{"ref":null}"#, base: link) == GitHubLink(repo: "Octo-Org/app.web", environment: "production"))
    }

    @Test func refusesWhatGitHubWouldNotName() throws {
        for bad in [
            #"{}"#, #"{"repo":"org"}"#, #"{"repo":"org/a/b"}"#, #"{"repo":"org/.."}"#, #"{"repo":"o rg/app"}"#,
            #"{"repo":"org/app","ref":"main"}"#, #"{"repo":"org/app","ref":"refs/heads/a b"}"#,
            #"{"repo":"org/app","environment":""}"#, #"{"repo":"org/app","extra":1}"#,
        ] {
            #expect(throws: ValidationError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test func roundTripsThroughAManifest() throws {
        let json = #"{"apiVersion":"pvdify.win/v1","kind":"App","metadata":{"name":"web"},"spec":{"github":{"repo":"org/web","ref":"refs/tags/v1"}}}"#
        let manifest = try AppManifest.parse(try JSONValue.parse(json: Data(json.utf8)))
        #expect(manifest.spec.github == GitHubLink(repo: "org/web", ref: "refs/tags/v1"))
        let encoded = try JSONEncoder().encode(manifest.document(status: nil))
        let document = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let github = (document["spec"] as? [String: Any])?["github"] as? [String: Any]
        #expect(github?["repo"] as? String == "org/web" && github?["ref"] as? String == "refs/tags/v1")
        let decoded = try JSONDecoder().decode(AppSpec.self, from: try JSONEncoder().encode(manifest.spec))
        #expect(decoded.github == manifest.spec.github)
    }
}
