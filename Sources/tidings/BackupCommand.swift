import ArgumentParser
import Configuration
import Foundation
import SystemPackage
import TidingsServer

/// `tidings backup --to DIR`: a consistent copy of the SQLite store, taken while
/// `tidings serve` keeps taking callbacks, as a new data directory to start on.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the SQLite store, while tidings serve runs, into a new data directory.",
        discussion: """
            The copy is one snapshot of the store: every callback acknowledged before the backup \
            began is in it. It is a data directory of its own holding one file, tidings.sqlite; to \
            restore, start on it: tidings serve --data-dir DIR. It is written beside DIR under a \
            temporary name and renamed into place once complete, so DIR is either complete or \
            absent. A running server is not held up and its data directory is not claimed. Run it \
            as the user that runs tidings serve.

            Reads --data-dir and --store (TIDINGS_DATA_DIR, TIDINGS_STORE, a --config file) as \
            serve does. For a PostgreSQL store it prints the pg_dump and pg_restore commands to \
            use instead and exits with status 2.
            """
    )

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "The data directory to create with the copy; it must not exist (see --force).", valueName: "dir"))
    var destination: String

    @Flag(help: "Replace --to if it exists and is an earlier backup (a data directory no server is using).")
    var force = false

    @Option(help: "The data directory of the store to copy. (default: ./tidings-data)")
    var dataDir: String?

    @Option(help: ArgumentHelp("sqlite, or the postgres:// URL of a PostgreSQL store. (default: sqlite)", valueName: "store"))
    var store: String?

    @Option(help: "A JSON or YAML file of settings, as tidings serve reads it.")
    var config: String?

    func run() async throws {
        let configuration: TidingsConfiguration
        do {
            configuration = try TidingsConfiguration(reader: try await reader())
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        let outcome: StoreBackup.Outcome
        do {
            outcome = try StoreBackup.run(configuration: configuration, to: destination, replacing: force)
        } catch {
            throw CommandFailure("\(error)")
        }
        switch outcome {
        case .copied(let summary):
            print(summary)
        case .postgres(let instructions):
            FileHandle.standardError.write(Data((instructions + "\n").utf8))
            throw ExitCode(2)
        }
    }

    /// The settings from these flags, then the environment, then the `--config` file, as
    /// `tidings serve` reads them.
    private func reader(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> ConfigReader {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let dataDir { flags[AbsoluteConfigKey(["data-dir"])] = .init(.string(dataDir), isSecret: false) }
        if let store { flags[AbsoluteConfigKey(["store"])] = .init(.string(store), isSecret: false) }
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: flags)]
            + TidingsConfiguration.environmentProviders(environment)
        if let path = config ?? environment["TIDINGS_CONFIG"] {
            do {
                if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                    providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
                } else {
                    providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
                }
            } catch {
                throw ValidationError("cannot read the configuration file \(path): \(error)")
            }
        }
        return ConfigReader(providers: providers)
    }
}
