import ArgumentParser
import Foundation
import PvdifyModel

/// `--no-wait` and `--timeout`, for the commands that make a release and follow it.
struct FollowOptions: ParsableArguments {
    @Flag(name: .long, help: "Return once the release is created, without following it.")
    var noWait = false

    @Option(name: .long, help: "How long to follow the release before giving up (like 90s, 10m).")
    var timeout = DurationArgument(DurationText(milliseconds: 600_000))

    /// Prints how a new release was made, then follows it unless `--no-wait`; exits non-zero when it fails.
    func follow(_ release: JSONValue, app: String, api: APIClient, json: Bool, headline: String) async throws {
        guard let version = release["version"]?.intValue else { throw CLIError("the API answered without a release version") }
        if noWait {
            if json { return Output.printJSON(release) }
            print("\(headline): release v\(version) is \(Output.cell(release["status"])).")
            print("Follow it with: pvdify releases:info \(app) \(version)")
            return
        }
        let follower = ReleaseFollower(api: api, app: app, version: version, timeout: timeout, toStandardError: json)
        follower.write("\(headline): release v\(version)")
        let final = try await follower.follow()
        if json { return Output.printJSON(final) }
        print("Release v\(version) of \(app) is \(Output.cell(final["status"])).")
    }
}

/// `pvdify deploy NAME --image IMAGE`: a new release, followed until it is active or failed.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy an image as a new release and follow it until it is active or failed.",
        discussion: """
            Prints the deploy log as it grows (pulling, `Started web.1 ...`, `web.1 is healthy`, \
            `Release vN is active`). Exits 0 when the release is active, non-zero with the reason \
            when it fails or --timeout passes.

            EXAMPLES:
              pvdify deploy myapp --image registry.example.com/myapp:v2
              pvdify deploy myapp --image registry.example.com/myapp:v2 --no-wait
            """)

    @Argument(help: "The app.")
    var name: String

    @Option(name: .long, help: "The image: registry/repository:tag or @sha256:digest.")
    var image: String

    @OptionGroup var follow: FollowOptions
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let release = try await api.post("/apps/\(name)/releases", ["image": .string(image)])
        try await follow.follow(release, app: name, api: api, json: output.json, headline: "Deploying \(image) to \(name)")
    }
}

/// `pvdify rollback NAME [VERSION]`: a new release with an earlier release's image and config.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll back to an earlier release (by default the one before the current).",
        discussion: """
            Makes a new release with the image and config of the target, then follows it like deploy.

            EXAMPLES:
              pvdify rollback myapp
              pvdify rollback myapp v41
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The release to roll back to (41 or v41).")
    var version: String?

    @OptionGroup var follow: FollowOptions
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let body: JSONValue? = try version.map { ["version": .int(try Arguments.version($0))] }
        let release = try await api.post("/apps/\(name)/rollback", body)
        let target = release["rollback_to"]?.intValue.map { "v\($0)" } ?? "the previous release"
        try await follow.follow(release, app: name, api: api, json: output.json, headline: "Rolling back \(name) to \(target)")
    }
}

/// `pvdify releases NAME`: the app's releases, newest first.
struct ReleasesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases",
        abstract: "List an app's releases, newest first.",
        discussion: """
            EXAMPLE:
              pvdify releases myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps/\(name)/releases")
        if output.json { return Output.printJSON(answer) }
        let releases = answer["releases"]?.arrayValue ?? []
        guard !releases.isEmpty else { return print("\(name) has no releases yet. Deploy with: pvdify deploy \(name) --image IMAGE") }
        print(Output.table(
            ["version", "status", "image", "config", "created", "by", "note"],
            releases.map { release in
                ["v" + Output.cell(release["version"]), Output.cell(release["status"]), Output.cell(release["image"]),
                 Output.cell(release["config_version"]), Output.time(release["created_at"]), Output.cell(release["created_by"]),
                 release["rollback_to"]?.intValue.map { "rollback to v\($0)" } ?? ""]
            }))
    }
}

/// `pvdify releases:info NAME VERSION`: one release and its deploy log.
struct ReleasesInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases:info",
        abstract: "Show one release and its deploy log.",
        discussion: """
            EXAMPLE:
              pvdify releases:info myapp 42
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The release (42 or v42).")
    var version: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let number = try Arguments.version(version)
        let release = try await api.get("/apps/\(name)/releases/\(number)")
        if output.json { return Output.printJSON(release) }
        let log = try await api.send(.GET, "/apps/\(name)/releases/\(number)/log", accept: "text/plain").text
        var pairs: [(String, String)] = [
            ("status", Output.cell(release["status"])),
            ("image", Output.cell(release["image"])),
            ("config", Output.cell(release["config_version"])),
            ("created", Output.time(release["created_at"])),
            ("by", Output.cell(release["created_by"])),
        ]
        if let to = release["rollback_to"]?.intValue { pairs.append(("rollback", "from v\(Output.cell(release["rollback_from"])) to v\(to)")) }
        print("=== \(name) v\(number)\n" + Output.fields(pairs))
        print("\n=== deploy log")
        print(log.hasSuffix("\n") ? String(log.dropLast()) : log)
    }
}
