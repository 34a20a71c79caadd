import Foundation
import Logging
import PostgresNIO

/// Fresh PostgreSQL databases for tests, on the server that `TIDINGS_TEST_POSTGRES_URL`
/// names (`.ci/start-test-postgres.sh` starts a throwaway one and prints its URL).
///
/// Without that variable the PostgreSQL tests are skipped and say why — except under CI
/// (`CI=true`), where they run and fail, so CI can never skip them silently.
public enum PostgresTestDatabase {
    /// The URL of the server's maintenance database, from which test databases are made.
    public static let serverURL: String? = ProcessInfo.processInfo.environment["TIDINGS_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    /// Whether PostgreSQL tests must run: under CI they fail rather than skip.
    public static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the PostgreSQL tests run (they are skipped otherwise).
    public static var shouldRun: Bool { serverURL != nil || isRequired }

    /// Why PostgreSQL tests were skipped, for the test report.
    public static let skipReason =
        "PostgreSQL tests skipped: set TIDINGS_TEST_POSTGRES_URL (export TIDINGS_TEST_POSTGRES_URL=$(.ci/start-test-postgres.sh))"

    /// Runs `body` with the URL of a new, empty database, dropped afterwards.
    ///
    /// - Throws: when no server is configured (only reached under CI) or it cannot be reached.
    public static func withFreshDatabase<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        guard let serverURL, var components = URLComponents(string: serverURL) else {
            throw TestDatabaseError(
                "TIDINGS_TEST_POSTGRES_URL is not set, and CI must run the PostgreSQL tests: "
                    + "start a server with .ci/start-test-postgres.sh and export the URL it prints")
        }
        let name = "tidings_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await execute("CREATE DATABASE \(name)", on: components)
        components.path = "/" + name
        // The suite runs dozens of these stores at once on a machine of two cores, so a
        // store under test waits longer for the database (60 s) than an operator's would.
        if !(components.queryItems ?? []).contains(where: { $0.name == "connect_timeout" }) {
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "connect_timeout", value: "60")]
        }
        do {
            let result = try await body(components.string!)
            try await execute("DROP DATABASE \(name) WITH (FORCE)", on: URLComponents(string: serverURL)!)
            return result
        } catch {
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: URLComponents(string: serverURL)!)
            throw error
        }
    }

    /// Runs one statement on a connection of its own to the database `url` names.
    public static func execute(_ sql: String, on url: URLComponents) async throws {
        let configuration = PostgresConnection.Configuration(
            host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres",
            password: url.password, database: String(url.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: 1, logger: Logger(label: "tidings-tests"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "tidings-tests"))
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A test database that cannot be had, and what to do about it.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
