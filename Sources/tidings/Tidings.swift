import ArgumentParser

/// The `tidings` command: the service and the tools around it.
@main
struct Tidings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receives Twilio message status callbacks and keeps the truth about every message.",
        subcommands: [
            ServeCommand.self, StatusCommand.self, TailCommand.self, StatsCommand.self, SignCommand.self,
            ReplayCommand.self, ReconcileCommand.self, ConfigCommand.self, MigrateCommand.self, BackupCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
