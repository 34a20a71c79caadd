import ArgumentParser
import Configuration
import Foundation
import SystemPackage
import TidingsServer

/// Every setting of `tidings serve` as a flag, shared with `tidings config check`.
///
/// Each flag is also the environment variable `TIDINGS_<NAME>` and the key `<name>` of a
/// `--config` file (JSON or YAML); a flag wins over the environment, which wins over the
/// file.
struct ServeOptions: ParsableArguments {
    @Option(help: "A JSON or YAML file of settings, keyed by flag name (port: 8080, sink: [...]).")
    var config: String?

    @Option(help: "Address to listen on. (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. (default: 8080)")
    var port: String?

    @Option(help: "Folder for the SQLite store. (default: ./tidings-data)")
    var dataDir: String?

    @Option(help: ArgumentHelp(
        "Where records are kept: sqlite (in --data-dir) or postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…] for several instances. (default: sqlite)",
        valueName: "store"))
    var store: String?

    @Option(help: "How much an SQLite commit survives: full (power loss) or normal (a crash of Tidings). (default: full)")
    var sqliteSynchronous: String?

    @Option(help: "A file holding the PostgreSQL password (or TIDINGS_STORE_PASSWORD).")
    var storePasswordFile: String?

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

    @Option(help: "The path a Twilio Event Streams webhook sink posts to. (default: /twilio/events)")
    var eventsPath: String?

    @Option(help: "The path a Conversations service's post-event webhook posts to. (default: /twilio/conversations)")
    var conversationsPath: String?

    @Option(name: .customLong("twilio-api-url"), help: "The base URL of Twilio's REST API, which reconciliation asks. (default: https://api.twilio.com)")
    var twilioAPIURL: String?

    @Option(help: "How long a message in flight goes without news before reconciliation asks Twilio about it. (default: 30m)")
    var reconcileAfter: String?

    @Option(help: "The most requests a second reconciliation sends to Twilio. (default: 5)")
    var reconcileRate: String?

    @Option(help: "How often reconciliation runs on its own; 0 turns it off (POST /v1/reconcile still works). (default: 10m)")
    var reconcileEvery: String?

    @Option(help: "Also list, once per this window, every message the accounts sent in it: finds messages whose every report was lost. E.g. 24h. (default: off)")
    var reconcileSweep: String?

    @Option(name: .customLong("twilio-account-sid"), help: "The accounts (AC…) the sweep lists, comma-separated; TIDINGS_TWILIO_ACCOUNT_SID.")
    var twilioAccountSid: String?

    @Option(help: "Append status changes as JSON lines to this file instead of standard output.")
    var eventLog: String?

    @Option(help: ArgumentHelp(
        "A further sink, KIND=TARGET[;option=value…]; repeatable. E.g. 'webhook=https://example.com/hook;only=errors'.",
        valueName: "sink"))
    var sink: [String] = []

    @Option(help: "A file holding the bearer token the /v1 API requires (or TIDINGS_API_TOKEN). Needed to listen beyond loopback.")
    var apiTokenFile: String?

    @Flag(help: "Serve the /v1 API without a token beyond loopback (only behind a proxy that guards it).")
    var insecureOpenAPI = false

    @Option(help: "Report a message as stale after this long in flight without a callback, e.g. 30m, 2h. (default: 30m)")
    var staleAfter: String?

    @Option(help: "Delete messages whose last change is older than this, e.g. 30d. (default: keep)")
    var retention: String?

    @Option(help: "Store these addresses masked: to, from (comma-separated).")
    var redact: String?

    @Option(help: "Failed signature checks allowed per client address per minute before 429. (default: 60)")
    var signatureFailureLimit: String?

    @Option(help: "Most connections open at once; past it the oldest idle one is closed. (default: 4096, within the open-file limit)")
    var maxConnections: String?

    @Option(help: "Time a client may take to send a request's headers, e.g. 10s. (default: 10s)")
    var headerTimeout: String?

    @Option(help: "Time a client may take to send a request's body, e.g. 30s. (default: 30s)")
    var bodyTimeout: String?

    @Option(help: "Time a kept-alive connection may wait for its next request, e.g. 60s. (default: 60s)")
    var idleTimeout: String?

    @Option(help: "Level of the operational log on standard error: trace, debug, info, notice, warning, error. (default: info)")
    var logLevel: String?

    /// The settings from flags, then the environment, then the `--config` file.
    func reader(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> ConfigReader {
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: flagValues())]
            + TidingsConfiguration.environmentProviders(environment)
        if let path = config ?? environment["TIDINGS_CONFIG"] {
            providers.append(try await Self.fileProvider(path))
        }
        return ConfigReader(providers: providers)
    }

    private static func fileProvider(_ path: String) async throws -> any ConfigProvider {
        do {
            if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
            }
            return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
        } catch {
            throw ValidationError("cannot read the configuration file \(path): \(error)")
        }
    }

    /// The flags given on the command line, as configuration keys.
    private func flagValues() -> [AbsoluteConfigKey: ConfigValue] {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: String, _ value: String?) {
            if let value { values[AbsoluteConfigKey([key])] = .init(.string(value), isSecret: false) }
        }
        func set(_ key: String, list: [String], isSecret: Bool = false) {
            if !list.isEmpty { values[AbsoluteConfigKey([key])] = .init(.stringArray(list), isSecret: isSecret) }
        }
        set("host", host)
        set("port", port)
        set("data-dir", dataDir)
        set("store", store)
        set("sqlite-synchronous", sqliteSynchronous)
        set("store-password-file", storePasswordFile)
        set("auth-token", list: authToken, isSecret: true)
        set("auth-token-file", authTokenFile)
        set("public-url", publicURL)
        if trustProxy { set("trust-proxy", "true") }
        set("callback-path", callbackPath)
        set("events-path", eventsPath)
        set("conversations-path", conversationsPath)
        set("twilio-api-url", twilioAPIURL)
        set("reconcile-after", reconcileAfter)
        set("reconcile-rate", reconcileRate)
        set("reconcile-every", reconcileEvery)
        set("reconcile-sweep", reconcileSweep)
        set("twilio-account-sid", list: twilioAccountSid.map { $0.split(separator: ",").map(String.init) } ?? [])
        set("event-log", eventLog)
        set("sink", list: sink)
        set("api-token-file", apiTokenFile)
        if insecureOpenAPI { set("insecure-open-api", "true") }
        set("stale-after", staleAfter)
        set("retention", retention)
        set("redact", list: redact.map { $0.split(separator: ",").map(String.init) } ?? [])
        set("signature-failure-limit", signatureFailureLimit)
        set("max-connections", maxConnections)
        set("header-timeout", headerTimeout)
        set("body-timeout", bodyTimeout)
        set("idle-timeout", idleTimeout)
        set("log-level", logLevel)
        return values
    }
}
