import Foundation
import Logging
import TidingsCore
import TidingsSinks

/// Turns the configuration into sinks: the log sink first, then each `--sink`.
///
/// Options by kind (after the common ones of ``SinkSpecification``):
///
/// | kind | option | meaning |
/// |---|---|---|
/// | `file` | `rotate=daily` | start a new file every UTC day |
/// | `file` | `max-mb=N` | start a new file before one passes N MiB (default 100; `0` for no limit) |
/// | `file` | `keep=N` | closed files kept (default 14) |
/// | `file` | `fsync=batch\|none` | flush every batch to disk before counting it delivered (default `batch`) |
/// | `webhook` | `format=plain\|cloudevents` | the body: the change, or a CloudEvents 1.0 envelope |
/// | `webhook` | `source=URI` | the CloudEvents `source` (default `tidings`) |
/// | `webhook` | `timeout=SECONDS` | per request (default 10) |
/// | `webhook` | `secret-env=VAR` | the environment variable holding the signing secret (default `TIDINGS_WEBHOOK_SECRET`; comma-separated during a rotation) |
enum SinkFactory {
    static let fileOptions: Set<String> = ["rotate", "max-mb", "keep", "fsync"]
    static let webhookOptions: Set<String> = ["format", "source", "timeout", "secret-env"]

    /// The routes `configuration` asks for.
    static func routes(
        for configuration: TidingsConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) throws -> [SinkRoute] {
        let log = try configuration.eventLog.map(LogSink.appending(toFile:)) ?? LogSink.standardOutput()
        return [SinkRoute(sink: log)] + (try configuration.sinks.map { specification in
            do {
                return SinkRoute(
                    sink: try sink(for: specification, environment: environment, logger: logger),
                    filter: specification.filter)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(setting: "sink", problem: "\(specification.name): \(error)")
            }
        })
    }

    private static func sink(
        for specification: SinkSpecification, environment: [String: String], logger: Logger
    ) throws -> any EventSink {
        let options = specification.options
        func problem(_ text: String) -> ConfigurationError {
            ConfigurationError(setting: "sink", problem: "\(specification.name): \(text)")
        }
        func number(_ key: String, default value: Int) throws -> Int {
            guard let text = options[key] else { return value }
            guard let number = Int(text), number >= 0 else { throw problem("\(key)=\(text) is not a whole number") }
            return number
        }
        func check(allowed: Set<String>) throws {
            if let unknown = options.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw problem("\(specification.kind) sinks have no option \(unknown) (they take \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        switch specification.kind {
        case "file":
            try check(allowed: fileOptions)
            let megabytes = try number("max-mb", default: 100)
            let rotation = FileRotation(
                maximumBytes: megabytes == 0 ? nil : Int64(megabytes) * 1024 * 1024,
                daily: options["rotate"]?.lowercased() == "daily", retainedFiles: try number("keep", default: 14))
            let sync: FileSyncPolicy
            switch options["fsync"]?.lowercased() ?? "batch" {
            case "batch": sync = .everyBatch
            case "none": sync = .none
            case let other: throw problem("fsync=\(other) is neither batch nor none")
            }
            return try FileSink(
                path: specification.target, rotation: rotation, sync: sync, name: specification.name, logger: logger)
        case "webhook":
            try check(allowed: webhookOptions)
            let format: WebhookPayloadFormat
            switch options["format"]?.lowercased() ?? "plain" {
            case "plain": format = .plain
            case "cloudevents": format = .cloudEvents(source: options["source"] ?? "tidings")
            case let other: throw problem("format=\(other) is neither plain nor cloudevents")
            }
            let variable = options["secret-env"] ?? "TIDINGS_WEBHOOK_SECRET"
            let secrets = try (environment[variable] ?? "").split(separator: ",")
                .map { try WebhookSecret($0.trimmingCharacters(in: .whitespaces)) }
            if secrets.isEmpty {
                logger.warning(
                    "webhook sink sends unsigned requests: no signing secret in the environment",
                    metadata: ["sink": "\(specification.name)", "variable": "\(variable)"])
            }
            return try WebhookSink(
                url: specification.target, secrets: secrets, format: format,
                timeout: .seconds(try number("timeout", default: 10)), name: specification.name)
        default:
            throw problem("unknown kind \(specification.kind); Tidings has file and webhook sinks (the log sink is always on)")
        }
    }
}
