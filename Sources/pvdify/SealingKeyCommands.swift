import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify sealing-key`: the recipient secret values are sealed to, and the retired ones that
/// still open.
struct SealingKeyShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealing-key",
        abstract: "Show the server's sealing key (the age recipient to seal to) and its retired ones.",
        discussion: """
            EXAMPLE:
              pvdify sealing-key
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().get("/sealing-key")
        if output.json { return Output.printJSON(answer) }
        SealingKeyText.print(answer)
    }
}

/// `pvdify sealing-key:rotate`: a new key pair; the replaced one is retired and still opens.
struct SealingKeyRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealing-key:rotate",
        abstract: "Make a new sealing key pair; the current one is retired and still opens what was sealed to it (admin).",
        discussion: """
            New values are sealed to the new recipient (pvdify secrets:seal asks the server for \
            it). Seal the values in your manifests again, then forget the retired key pairs with \
            pvdify sealing-key:forget-retired.

            EXAMPLE:
              pvdify sealing-key:rotate
            """)

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let answer = try await APIClient.configured().post("/sealing-key/rotate")
        if output.json { return Output.printJSON(answer) }
        print("Rotated the sealing key.")
        SealingKeyText.print(answer)
    }
}

/// `pvdify sealing-key:forget-retired --confirm`: values sealed to retired recipients stop opening.
struct SealingKeyForgetRetired: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealing-key:forget-retired",
        abstract: "Forget the retired sealing key pairs: values sealed to them no longer open (admin).",
        discussion: """
            Run it once every sealed value in your manifests and git repositories is sealed to \
            the current recipient: an apply or a sync that still carries an old one then fails \
            validation, naming the field. Needs --confirm.

            EXAMPLE:
              pvdify sealing-key:forget-retired --confirm
            """)

    @Flag(help: "Forget them (values sealed to them no longer open).")
    var confirm = false

    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        guard confirm else {
            throw CLIError("forgetting the retired sealing keys needs --confirm: values sealed to them will no longer open")
        }
        let answer = try await APIClient.configured().send(.DELETE, "/sealing-key/retired").json
        if output.json { return Output.printJSON(answer) }
        print("Forgot \(Output.cell(answer["forgotten"])) retired sealing key(s).")
    }
}

/// The sealing key as text.
enum SealingKeyText {
    static func print(_ key: JSONValue) {
        Swift.print("Recipient: \(Output.cell(key["recipient"])) (created \(Output.time(key["created_at"])))")
        let retired = key["retired"]?.arrayValue ?? []
        guard !retired.isEmpty else { return }
        Swift.print("Retired (values sealed to them still open):")
        Swift.print(Output.table(
            ["recipient", "created", "retired"],
            retired.map { [Output.cell($0["recipient"]), Output.time($0["created_at"]), Output.time($0["retired_at"])] }))
    }
}
