import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify domains NAME`: the app's custom domains and their TLS state.
struct DomainsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "List an app's custom domains.",
        discussion: """
            EXAMPLE:
              pvdify domains myapp
            """)

    @Argument(help: "The app.")
    var name: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/apps/\(name)/domains")
        if output.json { return Output.printJSON(answer) }
        let domains = answer["domains"]?.arrayValue ?? []
        guard !domains.isEmpty else { return print("\(name) has no custom domains. Add one with: pvdify domains:add \(name) DOMAIN") }
        print(Output.table(
            ["domain", "status", "ssl", "message"],
            domains.map { [Output.cell($0["name"]), Output.cell($0["status"]), Output.cell($0["ssl"]), $0["message"]?.stringValue ?? ""] }))
    }
}

/// `pvdify domains:add NAME DOMAIN`.
struct DomainsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains:add",
        abstract: "Add a custom domain to an app.",
        discussion: """
            EXAMPLE:
              pvdify domains:add myapp www.example.com
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The hostname, like www.example.com.")
    var domain: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().post("/apps/\(name)/domains", ["name": .string(domain)])
        if output.json { return Output.printJSON(answer) }
        print("Added \(Output.cell(answer["name"])) to \(name) (\(Output.cell(answer["status"]))).")
        print("Prove you own it with: pvdify domains:verify \(name) \(Output.cell(answer["name"]))")
    }
}

/// `pvdify domains:remove NAME DOMAIN`.
struct DomainsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains:remove",
        abstract: "Remove a custom domain from an app.",
        discussion: """
            EXAMPLE:
              pvdify domains:remove myapp www.example.com
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The hostname.")
    var domain: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        try await APIClient.configured().delete("/apps/\(name)/domains/\(APIClient.segment(domain))")
        if output.json { return Output.printJSON(["removed": .string(domain.lowercased())]) }
        print("Removed \(domain.lowercased()) from \(name).")
    }
}

/// `pvdify domains:verify NAME DOMAIN`: prints the TXT record that proves ownership.
struct DomainsVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains:verify",
        abstract: "Start verifying a domain: prints the DNS TXT record to create.",
        discussion: """
            With a Cloudflare token on the server the record is created for you; otherwise create \
            it at your DNS provider. The domain shows `verified` once the record is seen.

            EXAMPLE:
              pvdify domains:verify myapp www.example.com
            """)

    @Argument(help: "The app.")
    var name: String

    @Argument(help: "The hostname.")
    var domain: String

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().post("/apps/\(name)/domains/\(APIClient.segment(domain))/verify")
        if output.json { return Output.printJSON(answer) }
        print("Verifying \(Output.cell(answer["domain"])) (\(Output.cell(answer["status"]))). Create this DNS record:")
        print("")
        print("  \(Output.cell(answer["dns_record"]))")
    }
}
