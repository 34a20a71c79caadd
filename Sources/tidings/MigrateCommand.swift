import ArgumentParser
import Foundation
import Logging
import TidingsServer

/// `tidings migrate`: brings the store's schema up to date and exits — for a deployment
/// step (a Kubernetes init container, a release job) before the instances start. `serve`
/// migrates at start-up too, so this is never required.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the store's schema up to date, then exit.",
        discussion: """
            Reads --store (TIDINGS_STORE) and its password as serve does. On PostgreSQL it is \
            safe to run while instances are up or starting: migrations take an advisory lock \
            and are applied once. On SQLite it is refused while a serve uses the data \
            directory, whose code may not know the new schema: stop it first.
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let configuration: TidingsConfiguration
        do {
            configuration = try TidingsConfiguration(reader: try await options.reader())
        } catch {
            throw ValidationError("\(error)")
        }
        // The same claim serve takes: no serve is writing an SQLite store while its schema changes.
        let claim = try configuration.claimDataDirectory()
        let report = try await StoreMigration.run(configuration: configuration, logger: Logger(label: "tidings"))
        print(report)
        withExtendedLifetime(claim) {}
    }
}
