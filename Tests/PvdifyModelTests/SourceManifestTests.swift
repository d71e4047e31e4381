import Testing
@testable import PvdifyModel

@Suite struct SourceManifestTests {
    static func parse(_ spec: String) throws -> SourceManifest {
        try SourceManifest.parse(try YAMLDocuments.parseOne(
            "apiVersion: pvdify.win/v1\nkind: Source\nmetadata: {name: platform}\nspec:\n" + spec))
    }

    static func failure(_ spec: String) -> ValidationError? {
        do {
            _ = try parse(spec)
            return nil
        } catch let error as ValidationError {
            return error
        } catch {
            return ValidationError(field: "?", message: "\(error)")
        }
    }

    @Test func parsesTheIssueExample() throws {
        let source = try Self.parse("""
              url: https://git.example.com/org/platform.git
              ref: {tag: v1.2.0}
              path: apps
              interval: 1m
              prune: true
              suspend: false
            """)
        #expect(source.name == "platform")
        #expect(source.spec.url == "https://git.example.com/org/platform.git")
        #expect(source.spec.ref == .tag("v1.2.0"))
        #expect(source.spec.ref.refName == "refs/tags/v1.2.0")
        #expect(source.spec.path == "apps")
        #expect(source.spec.interval.milliseconds == 60_000)
        #expect(source.spec.prune && !source.spec.suspend && !source.spec.adopt && !source.spec.allowMassPrune)
    }

    @Test func defaultsToBranchMainAtTheRoot() throws {
        let source = try Self.parse("  url: file:///srv/platform.git\n")
        #expect(source.spec == SourceSpec(url: "file:///srv/platform.git", ref: .branch("main"), path: ".", interval: SourceSpec.defaultInterval))
    }

    @Test(arguments: [
        ("  url: https://user:secret@git.example.com/x.git\n", "spec.url"),
        ("  url: https://token@git.example.com/x.git\n", "spec.url"),
        ("  url: ftp://git.example.com/x.git\n", "spec.url"),
        ("  url: HTTPS://git.example.com/x.git\n", "spec.url"),
        ("  url: file://relative/x.git\n", "spec.url"),
        ("  url: 'ssh://-oProxyCommand=x/y'\n", "spec.url"),
        ("  url: 'https://example.com/a b'\n", "spec.url"),
        ("  url: file:///r\n  ref: {branch: main, tag: v1}\n", "spec.ref"),
        ("  url: file:///r\n  ref: {}\n", "spec.ref"),
        ("  url: file:///r\n  ref: {branch: -evil}\n", "spec.ref.branch"),
        ("  url: file:///r\n  ref: {branch: a..b}\n", "spec.ref.branch"),
        ("  url: file:///r\n  ref: {commit: abc123}\n", "spec.ref.commit"),
        ("  url: file:///r\n  path: ../etc\n", "spec.path"),
        ("  url: file:///r\n  path: /etc\n", "spec.path"),
        ("  url: file:///r\n  path: apps/.git\n", "spec.path"),
        ("  url: file:///r\n  interval: 0s\n", "spec.interval"),
        ("  url: file:///r\n  interval: 2d\n", "spec.interval"),
        ("  url: file:///r\n  prune: yes\n", "spec.prune"),
        ("  url: file:///r\n  prun: true\n", "spec.prun"),
        ("  path: apps\n", "spec.url"),
    ])
    func rejectsWithTheFieldPath(spec: String, field: String) {
        let error = Self.failure(spec)
        #expect(error?.field == field, "\(spec): \(String(describing: error))")
    }

    @Test func suggestsTheNearestField() {
        #expect(Self.failure("  url: file:///r\n  prun: true\n")?.message.contains("did you mean 'prune'") == true)
    }

    @Test func allowsAnSSHUserButNoPassword() throws {
        #expect(try Self.parse("  url: ssh://git@git.example.com:2222/org/repo.git\n").spec.url.hasPrefix("ssh://git@"))
        #expect(Self.failure("  url: ssh://git:pw@git.example.com/repo.git\n")?.field == "spec.url")
    }

    @Test func acceptsAFullCommit() throws {
        let sha = String(repeating: "ab", count: 20)
        #expect(try Self.parse("  url: file:///r\n  ref: {commit: \(sha)}\n").spec.ref == .commit(sha))
    }

    @Test func aPatchKeepsWhatItDoesNotName() throws {
        let base = SourceSpec(url: "file:///r", ref: .tag("v1"), path: "apps", prune: true)
        let patched = try SourceSpec.parse(try FieldReader(["suspend": true]), base: base)
        #expect(patched.suspend && patched.prune && patched.ref == .tag("v1") && patched.path == "apps")
    }

    @Test func credentialsNeverNameTheirValues() throws {
        let secret = "s3cr3t-value"
        do {
            _ = try SourceCredentials.parse(try FieldReader(["token": .string(secret), "password": .string(secret)]), base: SourceCredentials())
            Issue.record("a token and a password together must be refused")
        } catch let error as ValidationError {
            #expect(!error.description.contains(secret))
        }
        let ssh = try FieldReader(["ssh_private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n"])
        #expect(throws: ValidationError.self) { try SourceCredentials.parse(ssh, base: SourceCredentials()) }
        let set = try SourceCredentials.parse(try FieldReader(["username": "ci", "password": .string(secret)]), base: SourceCredentials())
        #expect(set.kinds == ["username", "password"])
        let cleared = try SourceCredentials.parse(try FieldReader(["password": .null, "token": "t"]), base: set)
        #expect(cleared.kinds == ["username", "token"])
    }
}
