import ArgumentParser
import Foundation
import TidingsServer

/// `tidings config check`: reads the settings exactly as `serve` would and says what it
/// found, or what is wrong.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the settings serve would use.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Read flags, TIDINGS_* variables and --config as serve would; print the result or the problem."
        )

        @OptionGroup var options: ServeOptions

        func run() async throws {
            let configuration: TidingsConfiguration
            do {
                configuration = try TidingsConfiguration(reader: try await options.reader())
                try configuration.checkAPIExposure()
                // What serve checks only when it builds the sinks (webhook secrets, file
                // options), checked the same way here.
                try configuration.checkSinks()
            } catch {
                throw ValidationError("\(error)")
            }
            print(ConfigurationSummary(configuration).text)
        }
    }
}
