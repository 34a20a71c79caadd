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
    /// Checks every `--sink` as ``routes(for:logger:)`` would build it, without opening a
    /// file or a connection.
    static func check(_ configuration: TidingsConfiguration) throws {
        for specification in configuration.sinks {
            _ = try plan(for: specification, secrets: configuration.webhookSecrets)
        }
    }

    static let fileOptions: Set<String> = ["rotate", "max-mb", "keep", "fsync"]
    static let webhookOptions: Set<String> = ["format", "source", "timeout", "secret-env"]

    /// The routes `configuration` asks for.
    static func routes(for configuration: TidingsConfiguration, logger: Logger) throws -> [SinkRoute] {
        let log = try configuration.eventLog.map(LogSink.appending(toFile:)) ?? LogSink.standardOutput()
        return [SinkRoute(sink: log)] + (try configuration.sinks.map { specification in
            do {
                return SinkRoute(
                    sink: try sink(for: specification, secrets: configuration.webhookSecrets, logger: logger),
                    filter: specification.filter)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(setting: "sink", problem: "\(specification.name): \(error)")
            }
        })
    }

    /// A sink as its `--sink` describes it, every option checked, not yet opened: what
    /// `tidings config check` validates and `serve` then opens, so the two never disagree.
    enum Plan {
        case file(path: String, rotation: FileRotation, sync: FileSyncPolicy, name: String)
        case webhook(url: String, secrets: [WebhookSecret], secretVariable: String, format: WebhookPayloadFormat, timeout: Duration, name: String)
    }

    /// Checks `specification`'s options (and a webhook's secrets, from `secrets`: the
    /// configuration's ``TidingsConfiguration/webhookSecrets``).
    ///
    /// - Throws: ``ConfigurationError`` naming the sink and the option.
    static func plan(for specification: SinkSpecification, secrets: [String: String]) throws -> Plan {
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
            return .file(path: specification.target, rotation: rotation, sync: sync, name: specification.name)
        case "webhook":
            try check(allowed: webhookOptions)
            let format: WebhookPayloadFormat
            switch options["format"]?.lowercased() ?? "plain" {
            case "plain": format = .plain
            case "cloudevents": format = .cloudEvents(source: options["source"] ?? "tidings")
            case let other: throw problem("format=\(other) is neither plain nor cloudevents")
            }
            let timeout = try number("timeout", default: 10)
            guard timeout > 0 else { throw problem("timeout=0: a webhook needs a timeout of 1 second or more") }
            do {
                try WebhookSink.checkURL(specification.target)
            } catch {
                throw problem("\(error)")
            }
            let variable = options["secret-env"] ?? TidingsConfiguration.defaultWebhookSecretVariable
            let signingSecrets: [WebhookSecret]
            do {
                signingSecrets = try (secrets[variable] ?? "").split(separator: ",")
                    .map { try WebhookSecret($0.trimmingCharacters(in: .whitespaces)) }
            } catch {
                throw problem("the signing secret in \(variable) cannot be used: \(error)")
            }
            return .webhook(
                url: specification.target, secrets: signingSecrets, secretVariable: variable, format: format,
                timeout: .seconds(timeout), name: specification.name)
        default:
            throw problem("unknown kind \(specification.kind); Tidings has file and webhook sinks (the log sink is always on)")
        }
    }

    private static func sink(
        for specification: SinkSpecification, secrets: [String: String], logger: Logger
    ) throws -> any EventSink {
        switch try plan(for: specification, secrets: secrets) {
        case .file(let path, let rotation, let sync, let name):
            return try FileSink(path: path, rotation: rotation, sync: sync, name: name, logger: logger)
        case .webhook(let url, let secrets, let variable, let format, let timeout, let name):
            if secrets.isEmpty {
                logger.warning(
                    "webhook sink sends unsigned requests: no signing secret in the environment",
                    metadata: ["sink": "\(name)", "variable": "\(variable)"])
            }
            return try WebhookSink(url: url, secrets: secrets, format: format, timeout: timeout, name: name)
        }
    }
}

extension TidingsConfiguration {
    /// Checks every `--sink` exactly as `serve` builds it (options, webhook URLs and
    /// secrets), without opening anything.
    ///
    /// - Throws: ``ConfigurationError`` naming the sink and what is wrong.
    public func checkSinks() throws {
        try SinkFactory.check(self)
    }
}
