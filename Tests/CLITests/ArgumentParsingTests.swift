import ArgumentParser
import Foundation
import PvdifyModel
import Testing
@testable import pvdify

/// The argument shapes commands share, and Heroku-style `group:action` command names.
@Suite struct ArgumentParsingTests {
    @Test func keyValuePairs() throws {
        let pairs = try Arguments.assignments(["A=1", "URL=postgres://u:p@h/db?x=y", "EMPTY=", "A=2"])
        #expect(pairs.map(\.key) == ["URL", "EMPTY", "A"])
        #expect(pairs.map(\.value) == ["postgres://u:p@h/db?x=y", "", "2"])
        #expect(throws: CLIError.self) { try Arguments.assignments(["NOEQUALS"]) }
        #expect(throws: CLIError.self) { try Arguments.assignments(["=value"]) }
        #expect(throws: CLIError.self) { try Arguments.assignments(["1X=2"]) }
        #expect(throws: CLIError.self) { try Arguments.assignments(["PORT=80"]) }
    }

    @Test func scaleCounts() throws {
        let counts = try Arguments.scale(["web=3", "worker=0", "web=2"])
        #expect(counts.map(\.type) == ["worker", "web"])
        #expect(counts.map(\.count) == [0, 2])
        for bad in ["web", "web=", "=3", "web=x", "web=-1", "web=101", "web=3=4"] {
            #expect(throws: CLIError.self, "\(bad)") { try Arguments.scale([bad]) }
        }
    }

    @Test func versionsAndTimes() throws {
        #expect(try Arguments.version("v3") == 3)
        #expect(try Arguments.version("42") == 42)
        #expect(throws: CLIError.self) { try Arguments.version("v0") }
        #expect(throws: CLIError.self) { try Arguments.version("latest") }
        let now = try #require(Timestamps.parse("2026-01-05T10:30:00Z"))
        #expect(try Arguments.since("10m", now: now) == "2026-01-05T10:20:00Z")
        #expect(try Arguments.since("1h30m", now: now) == "2026-01-05T09:00:00Z")
        #expect(try Arguments.since("2026-01-05T11:00:00+01:00", now: now) == "2026-01-05T10:00:00Z")
        #expect(throws: CLIError.self) { try Arguments.since("yesterday", now: now) }
        #expect(DurationArgument(argument: "2s")?.duration == .seconds(2))
        #expect(DurationArgument(argument: "soon") == nil)
    }

    @Test func colonCommandNamesParse() throws {
        let create = try #require(try Pvdify.parseAsRoot(["apps:create", "myapp", "-e", "staging"]) as? AppsCreate)
        #expect(create.name == "myapp")
        #expect(create.environment == "staging")
        let set = try #require(try Pvdify.parseAsRoot(["config:set", "myapp", "A=1", "B=2", "--json"]) as? ConfigSet)
        #expect(set.assignments == ["A=1", "B=2"])
        #expect(set.output.json)
        let deploy = try #require(try Pvdify.parseAsRoot(["deploy", "myapp", "--image", "r/i:1", "--timeout", "2s", "--no-wait"]) as? Deploy)
        #expect(deploy.follow.noWait)
        #expect(deploy.follow.timeout.duration == .seconds(2))
        let defaultDeploy = try #require(try Pvdify.parseAsRoot(["deploy", "myapp", "--image", "r/i:1"]) as? Deploy)
        #expect(defaultDeploy.follow.timeout.duration == .seconds(600))
        let scale = try #require(try Pvdify.parseAsRoot(["ps:scale", "myapp", "web=3", "worker=2"]) as? PsScale)
        #expect(scale.counts == ["web=3", "worker=2"])
        let logs = try #require(try Pvdify.parseAsRoot(["logs", "myapp", "-n", "500", "-p", "web", "-f"]) as? Logs)
        #expect(logs.lines == 500 && logs.process == "web" && logs.follow)
        let apply = try #require(try Pvdify.parseAsRoot(["apply", "-f", "a.yaml", "-f", "dir/", "-R", "--dry-run"]) as? Apply)
        #expect(apply.source.files == ["a.yaml", "dir/"] && apply.source.recursive && apply.dryRun)
        let get = try #require(try Pvdify.parseAsRoot(["get", "app", "myapp", "-o", "yaml"]) as? Get)
        #expect(get.name == "myapp" && get.format == "yaml")
        let token = try #require(try Pvdify.parseAsRoot(["tokens:create", "ci", "--scope", "deploy", "--app", "a", "--app", "b"]) as? TokensCreate)
        #expect(token.scope == ["deploy"] && token.app == ["a", "b"])
        #expect(throws: (any Error).self) { try Pvdify.parseAsRoot(["apps:nonsense"]) }
        #expect(throws: (any Error).self) { try Pvdify.parseAsRoot(["deploy", "myapp", "--image", "x", "--timeout", "soon"]) }
    }

    @Test func settingsNormalizeTheURL() {
        #expect(Settings.normalize("http://127.0.0.1:9443/") == "http://127.0.0.1:9443")
        #expect(Settings.normalize("http://127.0.0.1:9443/api/v1/") == "http://127.0.0.1:9443")
        #expect(Settings.normalize("127.0.0.1:9443") == "http://127.0.0.1:9443")
    }

    @Test func bashCompletionIsWrappedForColons() {
        let script = Completions.bashScript(for: ["--generate-completion-script", "bash"])
        #expect(script?.contains("apps:create") == true)
        #expect(script?.contains("complete -o filenames -F _pvdify_colon_words pvdify") == true)
        #expect(Completions.bashScript(for: ["--generate-completion-script=bash"]) != nil)
        #expect(Completions.bashScript(for: ["--generate-completion-script", "zsh"]) == nil)
        #expect(Completions.bashScript(for: ["apps"]) == nil)
    }
}
