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
            ["pr", "name", "status", "url", "image"],
            previews.map {
                [Output.cell($0["pr_number"]), Output.cell($0["name"]), Output.cell($0["status"]), Output.cell($0["url"]), Output.cell($0["image"])]
            }))
    }
}

/// `pvdify previews:create NAME --pr 123 --image IMAGE`: app `NAME-pr-123` in staging.
struct PreviewsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "previews:create",
        abstract: "Create a preview app for a pull request (NAME-pr-N, staging).",
        discussion: """
            The preview gets the parent's processes, config (secrets included), resources and \
            health check, and the given image as its first release.

            EXAMPLE:
              pvdify previews:create myapp --pr 123 --image registry.example.com/myapp:pr-123
            """)

    @Argument(help: "The parent app.")
    var name: String

    @Option(name: .long, help: "The pull request number (1 to 999999).")
    var pr: Int

    @Option(name: .long, help: "The image to deploy.")
    var image: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().post("/apps/\(name)/previews", ["pr_number": .int(pr), "image": .string(image)])
        if output.json { return Output.printJSON(answer) }
        print("Created preview \(Output.cell(answer["name"])) for PR #\(pr) (\(Output.cell(answer["status"]))): \(Output.cell(answer["url"]))")
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
