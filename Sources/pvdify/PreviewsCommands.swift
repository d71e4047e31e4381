import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify previews NAME`: the preview apps of pull requests.
struct PreviewsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "previews",
        abstract: "List an app's preview apps.",
        discussion: """
            EXAMPLE:
              pvdify previews myapp
            """)

    @Argument(help: "The parent app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps/\(name)/previews")
        if output.json { return Output.printJSON(answer) }
        let previews = answer["previews"]?.arrayValue ?? []
        guard !previews.isEmpty else { return print("\(name) has no previews.") }
        print(Output.table(
            ["pr", "name", "status", "url", "image", "sha", "branch", "fork", "updated", "expires", "github"],
            previews.map {
                [
                    Output.cell($0["pr_number"]), Output.cell($0["name"]), Output.cell($0["status"]), Output.cell($0["url"]),
                    Output.cell($0["image"]), Output.cell($0["head_sha"]), Output.cell($0["branch"]), Output.cell($0["fork"]),
                    Output.cell($0["updated_at"]), Output.cell($0["expires_at"]), Self.github($0["github"]),
                ]
            }))
    }

    /// The GitHub deployment's state (`-` before one is posted), and why the last call failed.
    static func github(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "-" }
        let state = Output.cell(value["state"])
        guard let error = value["error"]?.stringValue, !error.isEmpty else { return state }
        return "\(state) (\(error))"
    }
}

/// `pvdify previews:create NAME --pr 123 [--image IMAGE] [--sha SHA] [--branch BRANCH]`: app
/// `NAME-pr-123` in staging, created or updated.
struct PreviewsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "previews:create",
        abstract: "Create or update a preview app for a pull request (NAME-pr-N, staging).",
        discussion: """
            The preview gets the parent's processes (scaled by its previews section, one instance \
            per type by default), config with the previews section's overrides, only the secrets \
            its allow-list names, resources and health check. Without --image the parent's image \
            template is used. Running it again for the same PR updates the preview: a new image or \
            SHA is a new release, and the TTL starts again.

            EXAMPLE:
              pvdify previews:create myapp --pr 123 --image registry.example.com/myapp:pr-123
              pvdify previews:create myapp --pr 123 --sha 4f2a9c1 --branch feature/login
            """)

    @Argument(help: "The parent app.")
    var name: String

    @Option(name: .long, help: "The pull request number (1 to 999999).")
    var pr: Int

    @Option(name: .long, help: "The image to deploy (default: the parent's previews.image template).")
    var image: String?

    @Option(name: .long, help: "The pull request's head commit.")
    var sha: String?

    @Option(name: .long, help: "The pull request's head branch.")
    var branch: String?

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        var body: [String: JSONValue] = ["pr_number": .int(pr)]
        if let image { body["image"] = .string(image) }
        if let sha { body["head_sha"] = .string(sha) }
        if let branch { body["branch"] = .string(branch) }
        let reply = try await APIClient.configured().send(.POST, "/apps/\(name)/previews", json: .object(body))
        let answer = reply.json
        if output.json { return Output.printJSON(answer) }
        print("\(reply.status == 201 ? "Created" : "Updated") preview \(Output.cell(answer["name"])) for PR #\(pr) (\(Output.cell(answer["status"]))): \(Output.cell(answer["url"])), expires \(Output.cell(answer["expires_at"]))")
    }
}

/// `pvdify previews:delete NAME 123`.
struct PreviewsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "previews:delete",
        abstract: "Delete the preview app of a pull request.",
        discussion: """
            EXAMPLE:
              pvdify previews:delete myapp 123
            """)

    @Argument(help: "The parent app.")
    var name: String

    @Argument(help: "The pull request number.")
    var pr: Int

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        try await APIClient.configured().delete("/apps/\(name)/previews/\(pr)")
        if output.json { return Output.printJSON(["deleted": .string("\(name)-pr-\(pr)")]) }
        print("Deleted preview \(name)-pr-\(pr).")
    }
}
