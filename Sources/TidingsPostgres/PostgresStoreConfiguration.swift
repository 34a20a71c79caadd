import Foundation
import NIOSSL
import PostgresNIO

/// Where a ``PostgresStatusStore`` connects, read from a `postgres://` URL.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]` (`postgresql://` too),
/// with libpq's meaning of `sslmode`: `disable`, `prefer` (the default: TLS when the
/// server offers it), `require` (TLS, certificate not checked) and `verify-full` (TLS with
/// the certificate checked against the system's roots and the host name). Keep the
/// password out of the URL: ``password`` is meant to come from the environment or a file.
public struct PostgresStoreConfiguration: Sendable, Equatable {
    /// How the connection is encrypted (libpq's `sslmode`).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    /// nil when the server needs none (trust or peer authentication).
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The most connections this instance opens: one writer at a time commits callbacks,
    /// the rest serve the API, the sinks and the listener for notifications.
    public var maximumConnections: Int = 10
    /// How long one operation — a group commit, a read — may wait for a connection and its
    /// answer before it fails (a callback then gets `503`, which Twilio retries). libpq's
    /// `connect_timeout` URL parameter sets it, in seconds.
    public var operationTimeout: Duration = .seconds(10)

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Reads a `postgres://` URL.
    ///
    /// - Throws: ``PostgresStoreConfigurationError`` saying what is wrong with it.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), Self.isPostgresScheme(scheme)
        else {
            throw PostgresStoreConfigurationError("\(Self.redacted(text)) is not a URL like postgres://tidings@db.example.com:5432/tidings")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreConfigurationError("\(Self.redacted(text)) names no host: write postgres://USER@HOST/DATABASE")
        }
        guard let username = components.user, !username.isEmpty else {
            throw PostgresStoreConfigurationError("\(Self.redacted(text)) names no user: write postgres://USER@HOST/DATABASE")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreConfigurationError("\(Self.redacted(text)) names no database: write postgres://USER@HOST/DATABASE")
        }
        self.init(
            host: host, port: components.port ?? 5432, username: username.removingPercentEncoding ?? username,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresStoreConfigurationError(
                        "sslmode=\(item.value ?? "") is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else {
                    throw PostgresStoreConfigurationError("connect_timeout=\(item.value ?? "") is not a number of seconds")
                }
                operationTimeout = .seconds(seconds)
            case "pool_max_conns", "max_connections":
                guard let count = item.value.flatMap(Int.init), count >= 2 else {
                    throw PostgresStoreConfigurationError("\(item.name)=\(item.value ?? "") is not a number of connections (at least 2)")
                }
                maximumConnections = count
            default:
                throw PostgresStoreConfigurationError(
                    "the URL parameter \(item.name) is not known; Tidings reads sslmode, connect_timeout and pool_max_conns")
            }
        }
    }

    /// Whether `scheme` names PostgreSQL (`postgres` or `postgresql`).
    public static func isPostgresScheme(_ scheme: String) -> Bool {
        scheme == "postgres" || scheme == "postgresql"
    }

    /// The URL without its password, for logs and the start-up banner.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// A URL's text with any password replaced by `***`, for error messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }

    /// The configuration of postgres-nio's client.
    var client: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls.client)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        return configuration
    }
}

extension PostgresStoreConfiguration.TLSMode {
    /// The TLS settings of `require` and `prefer`: encrypted, certificate not checked.
    private static var unverified: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    /// The TLS settings of postgres-nio's pooled client.
    var client: PostgresClient.Configuration.TLS {
        switch self {
        case .disable: .disable
        case .prefer: .prefer(Self.unverified)
        case .require: .require(Self.unverified)
        case .verifyFull: .require(.makeClientConfiguration())
        }
    }

    /// The TLS settings of a single connection (see `PostgresFailure.diagnosis(of:)`).
    var connection: PostgresConnection.Configuration.TLS {
        get throws {
            switch self {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: Self.unverified))
            case .require: .require(try NIOSSLContext(configuration: Self.unverified))
            case .verifyFull: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }
    }
}
