import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import Logging
import TidingsServer

/// `tidings serve`: runs the receiver.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the status callback receiver.",
        discussion: """
            Every option can also be set in the environment as TIDINGS_<NAME> \
            (TIDINGS_AUTH_TOKEN, TIDINGS_PUBLIC_URL, …); a flag wins over the environment. \
            Keep auth tokens out of shell history: prefer TIDINGS_AUTH_TOKEN or --auth-token-file.
            """
    )

    @Option(help: "Address to listen on. (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. (default: 8080)")
    var port: String?

    @Option(help: "Folder for the SQLite store. (default: ./tidings-data)")
    var dataDir: String?

    @Option(help: "A Twilio auth token to check signatures with; repeat it during a token rotation.")
    var authToken: [String] = []

    @Option(help: "A file with one Twilio auth token per line.")
    var authTokenFile: String?

    @Option(help: "The base URL Twilio uses to reach this server, e.g. https://hooks.example.com (needed behind a proxy or tunnel).")
    var publicURL: String?

    @Flag(help: "Believe X-Forwarded-Proto and X-Forwarded-Host (only behind a proxy you run).")
    var trustProxy = false

    @Option(help: "The path Twilio posts callbacks to. (default: /twilio/status)")
    var callbackPath: String?

    @Option(help: "Append status changes as JSON lines to this file instead of standard output.")
    var eventLog: String?

    @Option(help: ArgumentHelp(
        "A further sink, KIND=TARGET[;option=value…]; repeatable. E.g. 'webhook=https://example.com/hook;only=errors'.",
        valueName: "sink"))
    var sink: [String] = []

    @Option(help: "Level of the operational log on standard error: trace, debug, info, notice, warning, error. (default: info)")
    var logLevel: String?

    func run() async throws {
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flagValues()),
            EnvironmentVariablesProvider(secretsSpecifier: .specific(["TIDINGS_AUTH_TOKEN"])),
        ])
        let configuration: TidingsConfiguration
        do {
            configuration = try TidingsConfiguration(reader: reader)
        } catch {
            throw ValidationError("\(error)")
        }
        let logger = makeLogger(level: reader.string(forKey: "tidings.log.level") ?? "info")
        let application = try buildApplication(configuration: configuration, logger: logger) { banner in
            FileHandle.standardError.write(Data((banner.text + "\n").utf8))
        }
        try await application.runService()
    }

    /// The flags given on the command line, as configuration keys; they come first.
    private func flagValues() -> [AbsoluteConfigKey: ConfigValue] {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: String, _ value: String?) {
            if let value { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = .init(.string(value), isSecret: false) }
        }
        set("tidings.host", host)
        set("tidings.port", port)
        set("tidings.data.dir", dataDir)
        set("tidings.auth.token.file", authTokenFile)
        set("tidings.public.url", publicURL)
        set("tidings.callback.path", callbackPath)
        set("tidings.event.log", eventLog)
        set("tidings.log.level", logLevel)
        if trustProxy { set("tidings.trust.proxy", "true") }
        if !sink.isEmpty {
            values[AbsoluteConfigKey(["tidings", "sink"])] = .init(.stringArray(sink), isSecret: false)
        }
        if !authToken.isEmpty {
            values[AbsoluteConfigKey(["tidings", "auth", "token"])] = .init(.stringArray(authToken), isSecret: true)
        }
        return values
    }

    private func makeLogger(level: String) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "tidings")
        logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        return logger
    }
}
