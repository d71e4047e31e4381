import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify sources`: the git repositories pvdify syncs apps from.
struct SourcesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List GitOps sources: repositories whose App manifests pvdify applies.",
        discussion: """
            EXAMPLE:
              pvdify sources
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/sources")
        if output.json { return Output.printJSON(answer) }
        let sources = answer["sources"]?.arrayValue ?? []
        guard !sources.isEmpty else { return print("No sources. Add one with: pvdify sources:add NAME --url URL") }
        print(Output.table(
            ["name", "url", "ref", "ready", "revision", "apps"],
            sources.map { source in
                [
                    Output.cell(source["name"]), Output.cell(source["spec"]?["url"]), SourceText.ref(source["spec"]?["ref"]),
                    SourceText.ready(source), SourceText.short(source["status"]?["last_applied_revision"]),
                    String(source["status"]?["inventory"]?.arrayValue?.count ?? 0),
                ]
            }))
    }
}

/// `pvdify sources:add NAME --url URL [--branch|--tag|--commit] [--path] [--interval] [--prune]`.
struct SourcesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:add",
        abstract: "Add a git repository whose App manifests pvdify applies and keeps applied.",
        discussion: """
            Credentials never go in the URL: set them with sources:credentials.

            EXAMPLES:
              pvdify sources:add platform --url https://git.example.com/org/platform.git --path apps --prune
              pvdify sources:add staging --url ssh://git@git.example.com/org/platform.git --tag v1.2.0
            """)

    @Argument(help: "The source's name.")
    var name: String

    @Option(help: "file://, http(s):// or ssh:// URL of the repository.")
    var url: String

    @Option(help: "Follow this branch (default main).") var branch: String?
    @Option(help: "Follow this tag.") var tag: String?
    @Option(help: "Stay at this commit.") var commit: String?
    @Option(help: "The folder whose *.yaml and *.yml files are read (default the root).") var path: String?
    @Option(help: "How often to poll, like 30s or 5m (default 1m).") var interval: String?
    @Flag(help: "Delete apps this source created when they leave the repository.") var prune = false
    @Flag(help: "Take over existing apps that no source manages.") var adopt = false

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var body: [String: JSONValue] = ["name": .string(name), "url": .string(url), "prune": .bool(prune), "adopt": .bool(adopt)]
        let refs = [("branch", branch), ("tag", tag), ("commit", commit)].compactMap { key, value in value.map { (key, $0) } }
        guard refs.count <= 1 else { throw CLIError("name one of --branch, --tag or --commit") }
        if let (key, value) = refs.first { body["ref"] = .object([key: .string(value)]) }
        if let path { body["path"] = .string(path) }
        if let interval { body["interval"] = .string(interval) }
        let answer = try await APIClient.configured().post("/sources", .object(body))
        if output.json { return Output.printJSON(answer) }
        print("Added source \(name) (\(SourceText.ref(answer["spec"]?["ref"])) of \(Output.cell(answer["spec"]?["url"]))).")
        print("Follow its first sync with: pvdify sources:sync \(name)")
    }
}

/// `pvdify sources:info NAME`: spec, conditions, revisions, inventory and history.
struct SourcesInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:info",
        abstract: "Show a source: its conditions, revisions, the apps it manages and its last syncs.",
        discussion: """
            The webhook line is the URL to give GitHub (Settings > Webhooks: content type
            application/json, the secret set with sources:credentials --webhook-secret, push
            events) or GitLab (the secret as its token). It is this CLI's API address: GitHub
            must be able to reach it (see the README on putting a proxy in front).

            EXAMPLE:
              pvdify sources:info platform
            """)

    @Argument(help: "The source.") var name: String
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let path = "/sources/\(APIClient.segment(name))"
        let source = try await api.get(path)
        if output.json { return Output.printJSON(source) }
        let spec = source["spec"]
        let status = source["status"]
        let credentials = (source["credentials"]?.arrayValue ?? []).compactMap(\.stringValue)
        let webhook = api.url(path + "/webhook")
            + (credentials.contains("webhook_secret") ? "" : " (no secret yet: pvdify sources:credentials \(name) --webhook-secret)")
        print(Output.fields([
            ("name", Output.cell(source["name"])), ("url", Output.cell(spec?["url"])), ("ref", SourceText.ref(spec?["ref"])),
            ("path", Output.cell(spec?["path"])), ("interval", Output.cell(spec?["interval"])),
            ("prune", Output.cell(spec?["prune"])), ("suspend", Output.cell(spec?["suspend"])), ("adopt", Output.cell(spec?["adopt"])),
            ("allow_mass_prune", Output.cell(spec?["allow_mass_prune"])),
            ("credentials", credentials.joined(separator: ", ")), ("webhook", webhook),
            ("revision", Output.cell(status?["revision"])), ("last applied", Output.cell(status?["last_applied_revision"])),
            ("last attempted", Output.cell(status?["last_attempted_revision"])), ("ready", SourceText.ready(source)),
            ("message", Output.cell(status?["conditions"]?[0]?["message"])),
        ]))
        let inventory = status?["inventory"]?.arrayValue ?? []
        print("\nApps (\(inventory.count)):")
        if !inventory.isEmpty { print(Output.table(["app", "file"], inventory.map { [Output.cell($0["app"]), Output.cell($0["path"])] })) }
        let history = status?["history"]?.arrayValue ?? []
        print("\nLast syncs:")
        if !history.isEmpty {
            print(Output.table(
                ["time", "revision", "outcome", "created", "changed", "pruned", "unchanged"],
                history.map { sync in
                    [Output.time(sync["time"]), SourceText.short(sync["revision"]), Output.cell(sync["outcome"])]
                        + ["created", "changed", "pruned", "unchanged"].map { String(sync[$0]?.arrayValue?.count ?? 0) }
                }))
        }
    }
}

/// `pvdify sources:sync NAME`: fetch and apply now, and follow until applied or failed.
struct SourcesSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:sync",
        abstract: "Fetch and apply a source now, and wait until it is applied or has failed.",
        discussion: """
            Exit code 0 when the sync succeeded, 1 when it failed (the reason is printed).

            EXAMPLE:
              pvdify sources:sync platform
            """)

    @Argument(help: "The source.") var name: String
    @Option(help: "Give up waiting after this many seconds.") var timeout: Int = 120
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        let path = "/sources/\(APIClient.segment(name))"
        let asked = try await api.post(path + "/sync")
        guard let requested = asked["requested_at"]?.stringValue.flatMap(Timestamps.parse) else { throw CLIError("the server did not say when the sync was asked for") }
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            let source = try await api.get(path)
            if source["spec"]?["suspend"] == true { throw CLIError("source \(name) is suspended; resume it with: pvdify sources:resume \(name)") }
            if let done = source["status"]?["last_sync_at"]?.stringValue.flatMap(Timestamps.parse), done >= requested {
                if output.json { return Output.printJSON(source) }
                let condition = source["status"]?["conditions"]?[0]
                let message = Output.cell(condition?["message"])
                guard condition?["status"] == "True" else {
                    throw CLIError("sync of \(name) failed: \(Output.cell(condition?["reason"])): \(message)")
                }
                return print("\(name) is at \(SourceText.short(source["status"]?["last_applied_revision"])): \(message)")
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw CLIError("the sync of \(name) did not finish within \(timeout)s; see pvdify sources:info \(name)")
    }
}

/// `pvdify sources:diff NAME`: what syncing the remote commit would change, changing nothing.
struct SourcesDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:diff",
        abstract: "Show what syncing the source's current remote commit would create, change and prune (exit 1 when anything).",
        discussion: """
            EXAMPLE:
              pvdify sources:diff platform
            """)

    @Argument(help: "The source.") var name: String
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().send(.POST, "/sources/\(APIClient.segment(name))/sync", query: [("dry_run", "true")]).json
        if output.json { Output.printJSON(answer) }
        let results = answer["results"]?.arrayValue ?? []
        let prune = (answer["prune"]?.arrayValue ?? []).compactMap(\.stringValue)
        let release = (answer["release"]?.arrayValue ?? []).compactMap(\.stringValue)
        let conflicts = answer["conflicts"]?.arrayValue ?? []
        if !output.json {
            print("At \(SourceText.short(answer["revision"])):")
            if let blocked = answer["blocked"]?.stringValue { print("Blocked: \(blocked)") }
            let painter = Painter(enabled: Terminal.useColor)
            for result in results {
                Output.appChanges(result, painter: painter).forEach { print($0) }
            }
            for app in prune { print("prune app/\(app)") }
            for app in release { print("let go app/\(app) (left the repository; prune is off)") }
            for conflict in conflicts { print("conflict: \(Output.cell(conflict["message"]))") }
        }
        let changes = results.contains { $0["action"]?.stringValue != "unchanged" } || !prune.isEmpty || !release.isEmpty
        if changes { throw ExitCode(1) }
    }
}

/// `pvdify sources:suspend NAME`.
struct SourcesSuspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:suspend",
        abstract: "Stop syncing a source; its apps then accept API and CLI changes.",
        discussion: """
            EXAMPLE:
              pvdify sources:suspend platform
            """)

    @Argument(help: "The source.") var name: String
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        try await setSuspended(name, true, output: output,
            done: "Suspended \(name): it no longer syncs, and its apps accept changes. Resume with: pvdify sources:resume \(name)")
    }
}

/// `pvdify sources:resume NAME`.
struct SourcesResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:resume",
        abstract: "Resume syncing a source; git wins again over changes made meanwhile.",
        discussion: """
            EXAMPLE:
              pvdify sources:resume platform
            """)

    @Argument(help: "The source.") var name: String
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        try await setSuspended(name, false, output: output, done: "Resumed \(name).")
    }
}

/// Suspends or resumes a source (one PATCH for both commands), then prints the answer or `done`.
private func setSuspended(_ name: String, _ suspended: Bool, output: OutputOptions, done: String) async throws {
    let answer = try await APIClient.configured().patch("/sources/\(APIClient.segment(name))", ["suspend": .bool(suspended)])
    if output.json { return Output.printJSON(answer) }
    print(done)
}

/// `pvdify sources:credentials NAME ...`: secrets from standard input or files, never arguments.
struct SourcesCredentials: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:credentials",
        abstract: "Set the credentials a source reaches its repository with (stored encrypted, never shown).",
        discussion: """
            Secret values are read from standard input (one of --token, --password, --webhook-secret)
            or from files, never from arguments.

            EXAMPLES:
              echo "$GIT_TOKEN" | pvdify sources:credentials platform --token
              pvdify sources:credentials platform --username ci --password < password.txt
              pvdify sources:credentials platform --ssh-key ~/.ssh/deploy_key --known-hosts pinned_host
              openssl rand -hex 32 | tee webhook-secret.txt | pvdify sources:credentials platform --webhook-secret
            """)

    @Argument(help: "The source.") var name: String
    @Option(help: "User name for HTTPS.") var username: String?
    @Flag(help: "Read an HTTPS access token from standard input.") var token = false
    @Flag(help: "Read an HTTPS password from standard input.") var password = false
    @Flag(help: "Read the webhook secret from standard input.") var webhookSecret = false
    @Option(help: "File holding the SSH private key.") var sshKey: String?
    @Option(help: "File holding the known_hosts line(s) the host key must match.") var knownHosts: String?
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var body: [String: JSONValue] = [:]
        let fromStdin = [("token", token), ("password", password), ("webhook_secret", webhookSecret)].filter(\.1)
        guard fromStdin.count <= 1 else { throw CLIError("read one secret at a time from standard input") }
        if let (key, _) = fromStdin.first { body[key] = .string(try Terminal.readSecret(prompt: "\(key): ")) }
        if let username { body["username"] = .string(username) }
        for (key, file) in [("ssh_private_key", sshKey), ("known_hosts", knownHosts)] {
            guard let file else { continue }
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read the file") }
            body[key] = .string(String(decoding: data, as: UTF8.self))
        }
        guard !body.isEmpty else { throw CLIError("name what to set: --username, --token, --password, --ssh-key, --known-hosts or --webhook-secret") }
        let answer = try await APIClient.configured().post("/sources/\(APIClient.segment(name))/credentials", .object(body))
        if output.json { return Output.printJSON(answer) }
        print("Credentials of \(name) set: \((answer["credentials"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")).")
    }
}

/// `pvdify sources:remove NAME [--prune]`.
struct SourcesRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources:remove",
        abstract: "Remove a source; its apps keep running, no longer managed, unless --prune deletes them too.",
        discussion: """
            EXAMPLES:
              pvdify sources:remove platform
              pvdify sources:remove platform --prune
            """)

    @Argument(help: "The source.") var name: String
    @Flag(help: "Delete the apps the source manages too.") var prune = false
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let reply = try await APIClient.configured().send(
            .DELETE, "/sources/\(APIClient.segment(name))", query: prune ? [("prune", "true")] : [])
        if output.json { return Output.printJSON(reply.json) }
        print(Output.cell(reply.json["message"]))
    }
}

/// Text shared by the sources commands.
enum SourceText {
    static func ref(_ ref: JSONValue?) -> String {
        for key in ["branch", "tag", "commit"] {
            if let value = ref?[key]?.stringValue { return "\(key) \(key == "commit" ? String(value.prefix(12)) : value)" }
        }
        return "-"
    }

    static func short(_ revision: JSONValue?) -> String { revision?.stringValue.map { String($0.prefix(12)) } ?? "-" }

    static func ready(_ source: JSONValue) -> String {
        guard let condition = source["status"]?["conditions"]?[0] else { return "Pending" }
        return "\(Output.cell(condition["status"])) (\(Output.cell(condition["reason"])))"
    }
}
