import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify apps`: every app the token reaches.
struct AppsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps",
        abstract: "List apps.",
        discussion: """
            EXAMPLE:
              pvdify apps
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps")
        if output.json { return Output.printJSON(answer) }
        let apps = answer["apps"]?.arrayValue ?? []
        guard !apps.isEmpty else { return print("No apps yet. Create one with: pvdify apps:create NAME") }
        print(Output.table(
            ["name", "environment", "status", "image", "created"],
            apps.map { app in
                [Output.cell(app["name"]), Output.cell(app["environment"]), Output.cell(app["status"]),
                 Output.cell(app["image"]), Output.time(app["created_at"])]
            }))
    }
}

/// `pvdify apps:create NAME`: a new app with one `web` process and no image yet.
struct AppsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps:create",
        abstract: "Create an app.",
        discussion: """
            EXAMPLES:
              pvdify apps:create myapp
              pvdify apps:create myapp-staging -e staging
            """)

    @Argument(help: "The app's name: lowercase letters, digits and '-', at most 30 characters.")
    var name: String

    @Option(name: [.short, .long], help: "production or staging.")
    var environment: String = "production"

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let app = try await APIClient.configured().post("/apps", ["name": .string(name), "environment": .string(environment)])
        if output.json { return Output.printJSON(app) }
        print("Created app \(name) (\(Output.cell(app["environment"])), port \(Output.cell(app["bind_port"]))).")
        print("Deploy it with: pvdify deploy \(name) --image IMAGE")
    }
}

/// `pvdify apps:info NAME`: the app's spec and status.
struct AppsInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps:info",
        abstract: "Show an app: image, processes, domains, resources, status.",
        discussion: """
            EXAMPLE:
              pvdify apps:info myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let app = try await APIClient.configured().get("/apps/\(name)")
        if output.json { return Output.printJSON(app) }
        print(Self.render(app))
    }

    static func render(_ app: JSONValue) -> String {
        let processes = (app["processes"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { type, spec in
            "\(type)=\(Output.cell(spec["count"]))" + (spec["command"]?.stringValue.map { " (\($0))" } ?? "")
        }
        let check = app["healthcheck"]
        var pairs: [(String, String)] = [
            ("environment", Output.cell(app["environment"])),
            ("status", Output.cell(app["status"])),
            ("image", Output.cell(app["image"])),
            ("processes", processes.isEmpty ? "-" : processes.joined(separator: ", ")),
            ("domains", Output.cell(app["domains"])),
            ("port", Output.cell(app["bind_port"])),
            ("resources", "memory \(Output.cell(app["resources"]?["memory"])), cpu \(Output.cell(app["resources"]?["cpu"]))"),
            ("healthcheck", "\(Output.cell(check?["path"])) every \(Output.cell(check?["interval"])), timeout \(Output.cell(check?["timeout"])), deploy timeout \(Output.cell(check?["deploy_timeout"]))"),
            ("generation", "\(Output.cell(app["generation"])) (observed \(Output.cell(app["observed_generation"])))"),
        ]
        if let labels = app["labels"]?.objectValue, !labels.isEmpty { pairs.append(("labels", Output.cell(app["labels"]))) }
        if let parent = app["preview_of"]?.stringValue { pairs.append(("preview of", parent)) }
        for condition in app["conditions"]?.arrayValue ?? [] {
            let message = condition["message"]?.stringValue.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            pairs.append((
                "condition \(Output.cell(condition["type"]))",
                "\(Output.cell(condition["status"])) \(Output.cell(condition["reason"]))\(message)"))
        }
        pairs.append(("created", Output.time(app["created_at"])))
        return "=== \(Output.cell(app["name"]))\n" + Output.fields(pairs)
    }
}

/// `pvdify apps:delete NAME`: deletes the app with its releases, config, domains and previews.
struct AppsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps:delete",
        abstract: "Delete an app, its releases, config, domains and previews.",
        discussion: """
            Asks for the name to be typed again, unless --confirm NAME is given.

            EXAMPLES:
              pvdify apps:delete myapp
              pvdify apps:delete myapp --confirm myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @Option(help: "The app's name again, to delete without a prompt.")
    var confirm: String?

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let api = try APIClient.configured()
        var confirmation = confirm
        if confirmation == nil {
            guard Terminal.stdinIsTTY else {
                throw CLIError("deleting \(name) needs confirmation: pass --confirm \(name)")
            }
            Terminal.error("This deletes \(name) with its releases, config, domains and previews.")
            confirmation = try Terminal.prompt("Type the app's name to confirm: ", hidden: false)
        }
        guard confirmation?.trimmingCharacters(in: .whitespaces) == name else {
            throw CLIError("confirmation '\(confirmation ?? "")' does not match '\(name)'; nothing was deleted")
        }
        try await api.delete("/apps/\(name)")
        if output.json { return Output.printJSON(["deleted": .string(name)]) }
        print("Deleted app \(name).")
    }
}
