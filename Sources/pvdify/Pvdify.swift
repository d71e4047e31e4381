import ArgumentParser
import Foundation

/// The `pvdify` command: Heroku-style `group:action` commands and kubectl-style manifests,
/// all over the REST API.
@main
struct Pvdify: AsyncParsableCommand {
    static let version = "1.0.0"

    static let configuration = CommandConfiguration(
        commandName: "pvdify",
        abstract: "Deploy and run apps on a pvdify server.",
        discussion: """
            Talks to the pvdify REST API at PVDIFY_API_URL with PVDIFY_TOKEN, or at what \
            `pvdify login` stored in ~/.config/pvdify/config.yaml. Every command takes --json \
            for scripts and --help for an example. Shell completion: \
            pvdify --generate-completion-script bash|zsh|fish.

            EXAMPLES:
              pvdify login --api-url http://127.0.0.1:9443
              pvdify apps:create myapp
              pvdify deploy myapp --image registry.example.com/myapp:v1
              pvdify apply -f examples/hello/app.yaml
            """,
        version: version,
        groupedSubcommands: [
            CommandGroup(name: "Session", subcommands: [Login.self, Logout.self, WhoAmI.self]),
            CommandGroup(name: "Apps", subcommands: [AppsList.self, AppsCreate.self, AppsInfo.self, AppsDelete.self]),
            CommandGroup(name: "Deploys", subcommands: [Deploy.self, ReleasesList.self, ReleasesInfo.self, Rollback.self]),
            CommandGroup(name: "Config", subcommands: [
                ConfigShow.self, ConfigSet.self, ConfigUnset.self, ConfigSecret.self, ConfigVersions.self, SecretsSeal.self,
                SealingKeyShow.self, SealingKeyRotate.self, SealingKeyForgetRetired.self,
            ]),
            CommandGroup(name: "Domains", subcommands: [DomainsList.self, DomainsAdd.self, DomainsRemove.self, DomainsVerify.self]),
            CommandGroup(name: "Processes", subcommands: [PsList.self, PsScale.self, PsRestart.self]),
            CommandGroup(name: "Logs", subcommands: [Logs.self]),
            CommandGroup(name: "Previews", subcommands: [PreviewsList.self, PreviewsCreate.self, PreviewsDelete.self]),
            CommandGroup(name: "Tokens", subcommands: [TokensList.self, TokensCreate.self, TokensRevoke.self, Audit.self]),
            CommandGroup(name: "Manifests", subcommands: [Apply.self, Diff.self, Get.self, Delete.self, Export.self]),
            CommandGroup(name: "GitOps", subcommands: [
                SourcesList.self, SourcesAdd.self, SourcesInfo.self, SourcesSync.self, SourcesDiff.self, SourcesSuspend.self,
                SourcesResume.self, SourcesCredentials.self, SourcesRemove.self,
            ]),
        ]
    )

    /// Runs the command; failures print `error: message` (the API's own message) and exit non-zero.
    static func main() async {
        if let script = Completions.bashScript(for: Array(CommandLine.arguments.dropFirst())) {
            print(script, terminator: "")
            return
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            Terminal.error("error: \(error.message)")
            for line in error.details { Terminal.error("  \(line)") }
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
