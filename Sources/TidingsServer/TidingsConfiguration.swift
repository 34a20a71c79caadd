import Configuration
import Foundation

/// Everything `tidings serve` can be told, with its defaults.
///
/// Read from one `ConfigReader` (swift-configuration), so the order of precedence is the
/// reader's order of providers: command-line flags, then `TIDINGS_…` environment variables,
/// then the defaults here. Keys are scoped under `tidings`, so `auth.token` is
/// `TIDINGS_AUTH_TOKEN` in the environment.
public struct TidingsConfiguration: Sendable, Equatable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    /// The port to listen on (0 picks a free one).
    public var port: Int = 8080
    /// Where the embedded SQLite store keeps its files.
    public var dataDirectory: String = "./tidings-data"
    /// The Twilio auth tokens signatures are checked against; several during a rotation.
    public var authTokens: [String] = []
    /// The base URL under which Twilio reaches this server (scheme, host, optional port
    /// and path prefix). Without it the URL is rebuilt from the request.
    public var publicURL: String?
    /// Whether `X-Forwarded-Proto` and `X-Forwarded-Host` may be believed.
    public var trustProxy: Bool = false
    /// The path Twilio posts status callbacks to.
    public var callbackPath: String = "/twilio/status"
    /// The file the log sink appends to; nil means standard output.
    public var eventLog: String?
    /// Further sinks (`--sink`), each with its own cursor on the outbox.
    public var sinks: [SinkSpecification] = []
    /// The largest callback body accepted, in bytes.
    public var maximumBodySize: Int = 64 * 1024

    /// The defaults.
    public init() {}

    /// Reads the configuration, checking every value.
    ///
    /// - Throws: ``ConfigurationError`` naming the setting and what to do about it.
    public init(reader: ConfigReader) throws {
        let config = reader.scoped(to: "tidings")
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
        if let directory = config.string(forKey: "data.dir") {
            self.dataDirectory = directory
        }
        var tokens = config.stringArray(forKey: "auth.token", isSecret: true) ?? []
        if let file = config.string(forKey: "auth.token.file") {
            tokens += try Self.readTokens(fromFile: file)
        }
        self.authTokens = tokens.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let publicURL = config.string(forKey: "public.url"), !publicURL.isEmpty {
            guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil, url.query == nil
            else {
                throw ConfigurationError(
                    setting: "public-url",
                    problem: "\"\(publicURL)\" is not a base URL like https://hooks.example.com or https://example.com/tidings")
            }
            self.publicURL = publicURL
        }
        if let trustProxy = config.string(forKey: "trust.proxy") {
            guard let value = Self.parseBool(trustProxy) else {
                throw ConfigurationError(setting: "trust-proxy", problem: "\"\(trustProxy)\" is not true or false")
            }
            self.trustProxy = value
        }
        if let path = config.string(forKey: "callback.path") {
            guard path.hasPrefix("/"), !path.contains("?") else {
                throw ConfigurationError(setting: "callback-path", problem: "\"\(path)\" must be a path starting with /")
            }
            self.callbackPath = path
        }
        if let eventLog = config.string(forKey: "event.log"), !eventLog.isEmpty, eventLog != "-" {
            self.eventLog = eventLog
        }
        self.sinks = try (config.stringArray(forKey: "sink") ?? []).map(SinkSpecification.init(parsing:))
        let names = ["log"] + sinks.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigurationError(
                setting: "sink", problem: "names two sinks \(repeated); give each its own ;name=…")
        }
    }

    private static func readTokens(fromFile path: String) throws -> [String] {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
                .split(whereSeparator: \.isNewline).map(String.init)
        } catch {
            throw ConfigurationError(setting: "auth-token-file", problem: "cannot read \(path): \(error.localizedDescription)")
        }
    }

    private static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}

/// A setting that cannot be used, in words that say which and why.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The flag's name (without `--`); the environment variable is `TIDINGS_` + it in capitals.
    public let setting: String
    public let problem: String

    public var description: String {
        let variable = "TIDINGS_" + setting.uppercased().replacingOccurrences(of: "-", with: "_")
        return "--\(setting) (\(variable)) \(problem)"
    }
}
