import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TidingsServer

/// `tidings serve`: runs the receiver.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the status callback receiver.",
        discussion: """
            Every option can also be set in the environment as TIDINGS_<NAME> \
            (TIDINGS_AUTH_TOKEN, TIDINGS_PUBLIC_URL, …) or in a --config file; a flag wins \
            over the environment, the environment over the file. Keep tokens out of shell \
            history: prefer TIDINGS_AUTH_TOKEN or --auth-token-file.
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let reader = try await options.reader()
        let configuration: TidingsConfiguration
        do {
            configuration = try TidingsConfiguration(reader: reader)
            try configuration.checkAPIExposure()
        } catch {
            throw ValidationError("\(error)")
        }
        let levelText = reader.string(forKey: "log-level") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--log-level (TIDINGS_LOG_LEVEL) is \(levelText); use one of \(levels)")
        }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "tidings")
        logger.logLevel = level
        // One serve per SQLite data directory; the claim lasts as long as this process.
        let claim = try configuration.claimDataDirectory()
        let openFileLimit = ConnectionLimits.raiseOpenFileLimit()
        // Before the application, whose HTTP clients take the tracer when they are made.
        let traceExport: (any Service)?
        do {
            traceExport = try TraceExport.bootstrap(environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch {
            throw ValidationError("OpenTelemetry settings (OTEL_*): \(error)")
        }
        let application = try buildApplication(
            configuration: configuration, openFileLimit: openFileLimit, instance: claim?.sinkFeederName, logger: logger,
            traceExport: traceExport
        ) { banner in
            FileHandle.standardError.write(Data((banner.text + "\n").utf8))
        }
        try await application.runService()
        withExtendedLifetime(claim) {}
    }
}
