import ArgumentParser

/// The `pvdifyd` executable: the daemon by default (`pvdifyd --listen ...` as ever), and the
/// `backup` and `restore` commands beside it.
@main
struct Pvdifyd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pvdifyd",
        abstract: "The pvdify daemon: REST API, desired-state store and reconcilers.",
        subcommands: [PvdifydCommand.self, BackupCommand.self, RestoreCommand.self, MigrateCommand.self],
        defaultSubcommand: PvdifydCommand.self)
}
