import Configuration
import Foundation
import TidingsCore
import TidingsSQLite

/// Everything `tidings serve` can be told, with its defaults.
///
/// Read from one `ConfigReader` (swift-configuration), so the order of precedence is the
/// reader's order of providers: command-line flags, then `TIDINGS_…` environment variables,
/// then a configuration file, then the defaults here. A key is the flag's name
/// (`auth-token`); the `tidings serve` command maps it to `TIDINGS_AUTH_TOKEN` in the
/// environment and reads it as is from a file.
public struct TidingsConfiguration: Sendable, Equatable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    /// The port to listen on (0 picks a free one).
    public var port: Int = 8080
    /// Where the records are kept: the embedded SQLite store, or PostgreSQL for several
    /// instances.
    public var store: StoreLocation = .sqlite
    /// Where the embedded SQLite store keeps its files.
    public var dataDirectory: String = "./tidings-data"
    /// How much an SQLite commit survives: `full` (power loss, the default) or `normal`
    /// (a crash of the process).
    public var sqliteSynchronous: SQLiteSynchronous = .full
    /// The Twilio auth tokens signatures are checked against; several during a rotation.
    public var authTokens: [String] = []
    /// The base URL under which Twilio reaches this server (scheme, host, optional port
    /// and path prefix). Without it the URL is rebuilt from the request.
    public var publicURL: String?
    /// Whether `X-Forwarded-Proto` and `X-Forwarded-Host` may be believed.
    public var trustProxy: Bool = false
    /// The path Twilio posts status callbacks to.
    public var callbackPath: String = "/twilio/status"
    /// The path a Twilio Event Streams webhook sink posts to.
    public var eventsPath: String = "/twilio/events"
    /// The path a Conversations service's post-event webhook posts to.
    public var conversationsPath: String = "/twilio/conversations"
    /// The base URL of Twilio's REST API, which reconciliation asks.
    public var twilioAPIURL: String = "https://api.twilio.com"
    /// How long a message in flight goes without news before reconciliation asks Twilio.
    public var reconcileAfter: TimeInterval = 1800
    /// The most requests a second reconciliation sends to Twilio.
    public var reconcileRate: Double = 5
    /// How often reconciliation runs on its own; nil when it only runs when asked
    /// (`--reconcile-every 0`).
    public var reconcileEvery: TimeInterval? = 600
    /// The window the sweep lists, once per that window; nil when the schedule does not
    /// sweep (`POST /v1/reconcile?sweep=` still can).
    public var reconcileSweep: TimeInterval?
    /// The accounts (`AC…`) the sweep lists (`twilio-account-sid`, comma-separated).
    public var twilioAccountSids: [String] = []
    /// An API key and secret for reconciliation (`twilio-api-key`, `twilio-api-secret`);
    /// without them it uses each message's account SID and the first auth token.
    /// (``TwilioAPICredentials/apiKey(sid:secret:)``).
    public var twilioAPIKey: TwilioAPICredentials?

    /// How reconciliation signs in; nil when there is nothing to sign in with.
    public var twilioAPICredentials: TwilioAPICredentials? {
        twilioAPIKey ?? authTokens.first.map(TwilioAPICredentials.accountAuthToken)
    }
    /// The file the log sink appends to; nil means standard output.
    public var eventLog: String?
    /// Further sinks (`--sink`), each with its own cursor on the outbox.
    public var sinks: [SinkSpecification] = []
    /// The webhook sinks' signing secrets, by the environment variable each is read from
    /// (`secret-env`, default ``defaultWebhookSecretVariable``); read through the same
    /// reader as every other setting, and never printed.
    public var webhookSecrets: [String: String] = [:]
    /// The largest callback body accepted, in bytes.
    public var maximumBodySize: Int = 64 * 1024
    /// The most parameters a callback body may have (a real one has about 20).
    public var maximumParameters: Int = 100
    /// Failed signature checks allowed per client address, per minute (and in a burst);
    /// past it a failure is answered `429` with `Retry-After`.
    public var signatureFailureLimit: Int = 60
    /// The most connections open at once; past it the oldest connection that has no
    /// request under way is closed to make room. Never more than the open-file limit
    /// allows (see ``ConnectionLimits``).
    public var maximumConnections: Int = 4096
    /// How long a client may take to send a request's headers, from its first byte.
    public var headerTimeout: TimeInterval = 10
    /// How long a client may take to send a request's body, from the end of its headers.
    public var bodyTimeout: TimeInterval = 30
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: TimeInterval = 60
    /// The bearer token `/v1/*` requires; nil leaves the API open (allowed on loopback only).
    public var apiToken: String?
    /// Serve an open `/v1` API beyond loopback anyway (it carries phone numbers).
    public var insecureOpenAPI: Bool = false
    /// How long a message may stay in flight since its last callback before it is stale.
    public var staleAfter: TimeInterval = 30 * 60
    /// Messages whose last change is older than this are deleted; nil keeps them.
    public var retention: TimeInterval?
    /// Which addresses are stored masked (`to`, `from`).
    public var redact: Set<RedactedField> = []

    /// The defaults.
    public init() {}

    /// Reads the configuration, checking every value.
    ///
    /// - Throws: ``ConfigurationError`` naming the setting and what to do about it.
    public init(reader: ConfigReader) throws {
        let config = reader
        if let host = config.string(forKey: "host") {
            guard !host.isEmpty else { throw ConfigurationError(setting: "host", problem: "is empty") }
            self.host = host
        }
        if let port = config.string(forKey: "port") {
            guard let number = Int(port), (0...65_535).contains(number) else {
                throw ConfigurationError(setting: "port", problem: "\"\(port)\" is not a port number (0–65535)")
            }
            self.port = number
        }
        if let directory = config.string(forKey: "data-dir") {
            self.dataDirectory = directory
        }
        if let text = config.string(forKey: "sqlite-synchronous") {
            guard let level = SQLiteSynchronous(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    setting: "sqlite-synchronous",
                    problem: "\"\(text)\" is neither full (survives \(SQLiteSynchronous.full.survives)) nor normal (survives \(SQLiteSynchronous.normal.survives))")
            }
            self.sqliteSynchronous = level
        }
        if let store = config.string(forKey: "store"), !store.isEmpty {
            var password = config.string(forKey: "store-password", isSecret: true)
            if let file = config.string(forKey: "store-password-file") {
                password = try Self.readTokens(fromFile: file, setting: "store-password-file").first
            }
            self.store = try StoreLocation(parsing: store, password: password)
        }
        var tokens = config.stringArray(forKey: "auth-token", isSecret: true) ?? []
        if let file = config.string(forKey: "auth-token-file") {
            tokens += try Self.readTokens(fromFile: file, setting: "auth-token-file")
        }
        self.authTokens = tokens.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let publicURL = config.string(forKey: "public-url"), !publicURL.isEmpty {
            guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil, url.query == nil
            else {
                throw ConfigurationError(
                    setting: "public-url",
                    problem: "\"\(publicURL)\" is not a base URL like https://hooks.example.com or https://example.com/tidings")
            }
            self.publicURL = publicURL
        }
        self.trustProxy = try Self.bool(config, "trust-proxy", setting: "trust-proxy") ?? false
        self.callbackPath = try Self.path(config, "callback-path") ?? callbackPath
        self.eventsPath = try Self.path(config, "events-path") ?? eventsPath
        self.conversationsPath = try Self.path(config, "conversations-path") ?? conversationsPath
        guard eventsPath != callbackPath else {
            throw ConfigurationError(
                setting: "events-path", problem: "\"\(eventsPath)\" is the callback path too; give Event Streams a path of its own")
        }
        guard conversationsPath != callbackPath, conversationsPath != eventsPath else {
            throw ConfigurationError(
                setting: "conversations-path",
                problem: "\"\(conversationsPath)\" is another route's path too; give Conversations a path of its own")
        }
        if let eventLog = config.string(forKey: "event-log"), !eventLog.isEmpty, eventLog != "-" {
            self.eventLog = eventLog
        }
        var apiToken = config.string(forKey: "api-token", isSecret: true)
        if let file = config.string(forKey: "api-token-file") {
            apiToken = try Self.readTokens(fromFile: file, setting: "api-token-file").first
        }
        self.apiToken = apiToken.flatMap { $0.isEmpty ? nil : $0 }
        self.insecureOpenAPI = try Self.bool(config, "insecure-open-api", setting: "insecure-open-api") ?? false
        if let text = config.string(forKey: "stale-after") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw ConfigurationError(setting: "stale-after", problem: "\"\(text)\" is not a duration like 30m or 2h")
            }
            self.staleAfter = seconds
        }
        if let url = config.string(forKey: "twilio-api-url"), !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil
            else {
                throw ConfigurationError(setting: "twilio-api-url", problem: "\"\(url)\" is not a base URL like https://api.twilio.com")
            }
            self.twilioAPIURL = url
        }
        if let text = config.string(forKey: "reconcile-after") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw ConfigurationError(setting: "reconcile-after", problem: "\"\(text)\" is not a duration like 30m")
            }
            self.reconcileAfter = seconds
        }
        if let text = config.string(forKey: "reconcile-rate") {
            guard let rate = Double(text), rate > 0, rate <= 100 else {
                throw ConfigurationError(setting: "reconcile-rate", problem: "\"\(text)\" is not a number of requests a second from 0 to 100")
            }
            self.reconcileRate = rate
        }
        if let text = config.string(forKey: "reconcile-every") {
            if text.trimmingCharacters(in: .whitespaces) == "0" {
                self.reconcileEvery = nil
            } else {
                guard let seconds = DurationText.seconds(text), seconds >= 1 else {
                    throw ConfigurationError(setting: "reconcile-every", problem: "\"\(text)\" is not a duration like 10m, or 0 for never")
                }
                self.reconcileEvery = seconds
            }
        }
        self.twilioAccountSids = (config.stringArray(forKey: "twilio-account-sid") ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for account in twilioAccountSids where !(account.hasPrefix("AC") && account.count == 34) {
            throw ConfigurationError(setting: "twilio-account-sid", problem: "\"\(account)\" is not an account SID (AC and 32 characters)")
        }
        if let text = config.string(forKey: "reconcile-sweep") {
            guard let seconds = DurationText.seconds(text), seconds >= 60, seconds <= 31 * 86_400 else {
                throw ConfigurationError(setting: "reconcile-sweep", problem: "\"\(text)\" is not a duration like 24h, from 1m to 31d")
            }
            guard !twilioAccountSids.isEmpty else {
                throw ConfigurationError(
                    setting: "reconcile-sweep", problem: "the sweep lists an account's messages: set --twilio-account-sid (TIDINGS_TWILIO_ACCOUNT_SID) too")
            }
            self.reconcileSweep = seconds
        }
        switch (config.string(forKey: "twilio-api-key"), config.string(forKey: "twilio-api-secret", isSecret: true)) {
        case (let sid?, let secret?): self.twilioAPIKey = .apiKey(sid: sid, secret: secret)
        case (nil, nil): break
        case (_?, nil), (nil, _?):
            throw ConfigurationError(setting: "twilio-api-key", problem: "an API key needs its secret, and a secret its key: set both or neither")
        }
        if let text = config.string(forKey: "retention") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw ConfigurationError(setting: "retention", problem: "\"\(text)\" is not a duration like 30d")
            }
            self.retention = seconds
        }
        self.redact = try Set((config.stringArray(forKey: "redact") ?? []).map { name in
            guard let field = RedactedField(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ConfigurationError(setting: "redact", problem: "\"\(name)\" is neither to nor from")
            }
            return field
        })
        if let limit = try Self.positiveInteger(config, "signature-failure-limit") { self.signatureFailureLimit = limit }
        if let limit = try Self.positiveInteger(config, "max-connections") { self.maximumConnections = limit }
        if let seconds = try Self.timeout(config, "header-timeout") { self.headerTimeout = seconds }
        if let seconds = try Self.timeout(config, "body-timeout") { self.bodyTimeout = seconds }
        if let seconds = try Self.timeout(config, "idle-timeout") { self.idleTimeout = seconds }
        self.sinks = try (config.stringArray(forKey: "sink") ?? []).map(SinkSpecification.init(parsing:))
        let names = ["log"] + sinks.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigurationError(
                setting: "sink", problem: "names two sinks \(repeated); give each its own ;name=…")
        }
        for sink in sinks where sink.kind == "webhook" {
            let variable = sink.options["secret-env"] ?? Self.defaultWebhookSecretVariable
            guard !variable.isEmpty, variable.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw ConfigurationError(
                    setting: "sink", problem: "\(sink.name): secret-env=\(variable) is not an environment variable name of capital letters, digits and _")
            }
            if let secret = config.string(forKey: Self.webhookSecretKey(variable), isSecret: true) {
                webhookSecrets[variable] = secret
            }
        }
    }

    /// Whether the API may be served as configured: an open API only on loopback, unless
    /// explicitly allowed.
    ///
    /// - Throws: ``ConfigurationError`` saying how to fix it.
    public func checkAPIExposure() throws {
        guard apiToken == nil, !insecureOpenAPI, !["127.0.0.1", "::1", "localhost"].contains(host) else { return }
        throw ConfigurationError(
            setting: "api-token",
            problem: "is required to listen on \(host): the /v1 API shows phone numbers. Set TIDINGS_API_TOKEN (or --api-token-file), or pass --insecure-open-api if a proxy in front of Tidings guards /v1")
    }

    private static func readTokens(fromFile path: String, setting: String) throws -> [String] {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        } catch {
            throw ConfigurationError(setting: setting, problem: "cannot read \(path): \(error.localizedDescription)")
        }
    }

    private static func positiveInteger(_ config: ConfigReader, _ setting: String) throws -> Int? {
        guard let text = config.string(forKey: ConfigKey(setting)) else { return nil }
        guard let number = Int(text), number > 0 else {
            throw ConfigurationError(setting: setting, problem: "\"\(text)\" is not a whole number above 0")
        }
        return number
    }

    /// A duration like `10s`, `2m` (or plain seconds), above zero.
    private static func timeout(_ config: ConfigReader, _ setting: String) throws -> TimeInterval? {
        guard let text = config.string(forKey: ConfigKey(setting)) else { return nil }
        guard let seconds = Double(text) ?? DurationText.seconds(text), seconds > 0 else {
            throw ConfigurationError(setting: setting, problem: "\"\(text)\" is not a duration like 10s or 2m")
        }
        return seconds
    }

    /// A route's path (`callback-path`, `events-path`): it starts with `/` and has no query.
    private static func path(_ config: ConfigReader, _ setting: String) throws -> String? {
        guard let path = config.string(forKey: ConfigKey(setting)) else { return nil }
        guard path.hasPrefix("/"), !path.contains("?") else {
            throw ConfigurationError(setting: setting, problem: "\"\(path)\" must be a path starting with /")
        }
        return path
    }

    private static func bool(_ config: ConfigReader, _ key: ConfigKey, setting: String) throws -> Bool? {
        guard let text = config.string(forKey: key) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(setting: setting, problem: "\"\(text)\" is not true or false")
        }
    }
}
