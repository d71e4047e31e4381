import ArgumentParser
import Foundation
import PvdifyModel

/// `-f FILE|DIR|-` (repeatable) and `-R`, for the commands that read App manifests.
struct ManifestFileOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file, a directory of them, or - for standard input (repeatable).")
    var files: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Also read the directories inside a directory.")
    var recursive = false

    func load() throws -> [ManifestSource.Document] { try ManifestSource.load(files, recursive: recursive) }
}

/// Sends documents to `POST /api/v1/apply`, mapping the API's `documents[i]` errors back to files.
enum ApplyRequest {
    static func send(_ documents: [ManifestSource.Document], api: APIClient, dryRun: Bool) async throws -> JSONValue {
        let reply = try await api.exchange(
            .POST, "/apply", query: dryRun ? [("dry_run", "true")] : [],
            json: ["documents": .array(documents.map(\.value))])
        guard (200..<300).contains(reply.status) else { throw ManifestSource.apiProblems(reply, documents: documents) }
        return reply.json
    }

    /// `app/web configured (release v4, config v3)`, as kubectl prints it.
    static func summary(_ result: JSONValue, dryRun: Bool) -> String {
        var details: [String] = []
        if let release = result["release"]?.intValue { details.append("release v\(release)") }
        if let config = result["config_version"]?.stringValue { details.append("config \(config)") }
        if dryRun { details.append("dry run") }
        let suffix = details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"
        let kind = result["kind"]?.stringValue == SourceManifest.kind ? "source" : "app"
        return "\(kind)/\(Output.cell(result["name"])) \(Output.cell(result["action"]))\(suffix)"
    }
}

/// `pvdify apply -f FILE|DIR|-`: creates or updates every app the manifests describe.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update apps from App manifests (all of them, or none).",
        discussion: """
            Every document is checked before any is applied; errors point at file:line:column. \
            A new image makes a release, new config a config version, new counts scale; an \
            unchanged manifest changes nothing. Secrets are listed by name in spec.secrets and \
            must be set first with config:secret.

            EXAMPLES:
              pvdify apply -f examples/hello/app.yaml
              pvdify apply -f examples/gitops-repo/apps/
              cat app.yaml | pvdify apply -f -
              pvdify apply -f apps/ --dry-run
            """)

    @OptionGroup var source: ManifestFileOptions

    @Flag(name: .long, help: "Ask the server what would change, and change nothing.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let documents = try source.load()
        _ = try ManifestSource.validate(documents)
        let answer = try await ApplyRequest.send(documents, api: try APIClient.configured(), dryRun: dryRun)
        if output.json { return Output.printJSON(answer) }
        for result in answer["results"]?.arrayValue ?? [] { print(ApplyRequest.summary(result, dryRun: dryRun)) }
    }
}

/// `pvdify diff -f ...`: what apply would change, as a unified diff; exit 1 when there is any.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would change, as a unified diff (exit 1 when there are differences).",
        discussion: """
            Like kubectl diff: exit code 0 when the server already matches the manifests, 1 when \
            they differ, 2 on an error. A sealed secret whose value would change is named \
            (`app/web: secret KEY: changed`), never shown. A Source document that would change \
            prints a line such as `source/platform configured (dry run)`.

            EXAMPLES:
              pvdify diff -f examples/hello/app.yaml
              pvdify diff -f apps/ || pvdify apply -f apps/
            """)

    @OptionGroup var source: ManifestFileOptions
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer: JSONValue
        do {
            let documents = try source.load()
            _ = try ManifestSource.validate(documents)
            answer = try await ApplyRequest.send(documents, api: try APIClient.configured(), dryRun: true)
        } catch var error as CLIError {
            error.exitCode = 2
            throw error
        }
        let results = answer["results"]?.arrayValue ?? []
        let changed = results.contains { $0["action"]?.stringValue != "unchanged" }
        if output.json {
            Output.printJSON(answer)
        } else {
            let painter = Painter(enabled: Terminal.useColor)
            for result in results {
                // A Source document's result has no diff text: say what would happen to it.
                if result["kind"]?.stringValue == SourceManifest.kind {
                    if result["action"]?.stringValue != "unchanged" { print(ApplyRequest.summary(result, dryRun: true)) }
                    continue
                }
                Output.appChanges(result, painter: painter).forEach { print($0) }
            }
        }
        if changed { throw ExitCode(1) }
    }
}

/// `pvdify get apps` and `pvdify get app NAME -o yaml|json`, kubectl-style.
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show apps as a table, or as App manifests (-o yaml|json) with their status.",
        discussion: """
            EXAMPLES:
              pvdify get apps
              pvdify get app myapp -o yaml
              pvdify get apps -o yaml > all-apps.yaml
            """)

    @Argument(help: "apps (or app).")
    var resource: String

    @Argument(help: "One app.")
    var name: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "table, yaml, json or name.")
    var format: String = "table"

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        guard ["app", "apps"].contains(resource) else {
            throw CLIError("unknown resource '\(resource)': use `pvdify get apps` or `pvdify get app NAME`")
        }
        let format = output.json ? "json" : format
        guard ["table", "yaml", "json", "name"].contains(format) else {
            throw CLIError("unknown output format '\(format)': use table, yaml, json or name")
        }
        let api = try APIClient.configured()
        let names: [String]
        var rows: [JSONValue] = []
        if let name {
            let app = try await api.get("/apps/\(name)")
            rows = [app]
            names = [name]
        } else {
            rows = try await api.get("/apps")["apps"]?.arrayValue ?? []
            names = rows.compactMap { $0["name"]?.stringValue }
        }
        switch format {
        case "name":
            for name in names { print("app/\(name)") }
        case "yaml":
            var texts: [String] = []
            for name in names {
                texts.append(try await api.send(.GET, "/apps/\(name)/manifest", accept: "application/yaml").text)
            }
            print(texts.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }.joined(separator: "\n---\n"))
        case "json":
            var items: [JSONValue] = []
            for name in names { items.append(try await api.send(.GET, "/apps/\(name)/manifest", accept: "application/json").json) }
            Output.printJSON(self.name == nil ? ["apiVersion": .string(AppManifest.apiVersion), "kind": "List", "items": .array(items)] : items[0])
        default:
            guard !rows.isEmpty else { return print("No apps.") }
            print(Output.table(
                ["name", "environment", "status", "image"],
                rows.map { [Output.cell($0["name"]), Output.cell($0["environment"]), Output.cell($0["status"]), Output.cell($0["image"])] }))
        }
    }
}

/// `pvdify delete -f FILE`: deletes the apps and sources that manifests name.
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the apps and sources that manifests name (apps with their releases, config, domains, previews).",
        discussion: """
            A Source document deletes that source, as sources:remove does: the apps it manages keep \
            running, no longer managed, unless --prune deletes them too. Sources go first, since \
            an app a source manages cannot be deleted while it does.

            EXAMPLES:
              pvdify delete -f examples/hello/app.yaml
              pvdify delete -f apps/ --ignore-not-found
              pvdify delete -f source.yaml --prune
            """)

    @OptionGroup var source: ManifestFileOptions

    @Flag(name: .long, help: "Treat an app or source that does not exist as deleted.")
    var ignoreNotFound = false

    @Flag(name: .long, help: "With a Source document: delete the apps that source manages too.")
    var prune = false

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var sourceNames: [String] = []
        var appNames: [String] = []
        for document in try source.load() {
            guard let name = document.appName else {
                throw CLIError("\(document.place(of: "metadata.name")): metadata.name is required")
            }
            if SourceManifest.isSource(document.value) {
                if !sourceNames.contains(name) { sourceNames.append(name) }
            } else if !appNames.contains(name) {
                appNames.append(name)
            }
        }
        let api = try APIClient.configured()
        var deletedSources: [String] = []
        var deleted: [String] = []
        var failures: [String] = []
        for name in sourceNames {
            do {
                let reply = try await api.send(.DELETE, "/sources/\(APIClient.segment(name))", query: prune ? [("prune", "true")] : [])
                deletedSources.append(name)
                let apps = (reply.json["apps"]?.arrayValue ?? []).compactMap(\.stringValue)
                if prune { deleted += apps }
                if !output.json { print(Self.sourceDeleted(name, apps: apps, pruned: prune)) }
            } catch let error as CLIError where error.httpStatus == 404 && ignoreNotFound {
                if !output.json { print("source/\(name) not found (ignored)") }
            } catch let error as CLIError {
                failures.append("source/\(name): \(error.message)")
            }
        }
        for name in appNames where !deleted.contains(name) {
            do {
                try await api.delete("/apps/\(name)")
                deleted.append(name)
                if !output.json { print("app/\(name) deleted") }
            } catch let error as CLIError where error.httpStatus == 404 && ignoreNotFound {
                if !output.json { print("app/\(name) not found (ignored)") }
            } catch let error as CLIError {
                failures.append("app/\(name): \(error.message)")
            }
        }
        if output.json { Output.printJSON(["deleted": .array(deleted.map(JSONValue.string)), "deleted_sources": .array(deletedSources.map(JSONValue.string))]) }
        guard failures.isEmpty else { throw ManifestSource.problemsError(failures) }
    }

    /// `source/platform deleted; its apps keep running, no longer managed: api, www (--prune deletes them too)`.
    static func sourceDeleted(_ name: String, apps: [String], pruned: Bool) -> String {
        if apps.isEmpty { return "source/\(name) deleted (it managed no apps)" }
        let list = apps.joined(separator: ", ")
        if pruned { return "source/\(name) deleted with the apps it managed: \(list)" }
        return "source/\(name) deleted; its apps keep running, no longer managed: \(list) (--prune deletes them too)"
    }
}
