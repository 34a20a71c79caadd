import Foundation
import Logging
import PostgresNIO
import Synchronization

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

    /// Runs `body` with the URL of an empty database of its own.
    ///
    /// Databases are reused: when `body` ends, its database is emptied (connections closed,
    /// the `public` schema dropped and made again) and handed to the next caller, which costs
    /// PostgreSQL a tenth of the CPU of `CREATE DATABASE` and `DROP DATABASE`. At most
    /// ``TestDatabasePool/capacity`` exist at once; further callers wait for one (a call
    /// nested in another never waits). They are named after this process, and databases of
    /// processes that have ended are dropped at the first call, so a developer's server does
    /// not collect them.
    ///
    /// - Throws: when no server is configured (only reached under CI) or it cannot be reached.
    public static func withFreshDatabase<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        guard let serverURL, var components = URLComponents(string: serverURL) else {
            throw TestDatabaseError(
                "TIDINGS_TEST_POSTGRES_URL is not set, and CI must run the PostgreSQL tests: "
                    + "start a server with .ci/start-test-postgres.sh and export the URL it prints")
        }
        let server = components
        await databasesOfEndedProcessesDropped.value
        let nested = holdsDatabase
        let name: String
        if !nested, let idle = await pool.take() {
            name = idle
        } else {
            name = try await makeDatabase(on: server, counted: !nested)
        }
        components.path = "/" + name
        // The suite runs dozens of these stores at once on a machine of two cores, so a
        // store under test waits longer for the database (60 s) than an operator's would.
        if !(components.queryItems ?? []).contains(where: { $0.name == "connect_timeout" }) {
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "connect_timeout", value: "60")]
        }
        let result: Result
        do {
            result = try await $holdsDatabase.withValue(true) { try await body(components.string!) }
        } catch {
            await giveBack(name, on: server, pooled: !nested)
            throw error
        }
        await giveBack(name, on: server, pooled: !nested)
        return result
    }

    /// Whether the current task runs inside ``withFreshDatabase(_:)``.
    @TaskLocal private static var holdsDatabase = false

    private static let pool = TestDatabasePool(capacity: 8)

    /// The prefix of the databases this process makes; its process ID and a number follow.
    private static let namePrefix = "tidings_test_"
    private static let databasesMade = Atomic<Int>(0)

    /// Makes a new database; `counted` when the pool lets it be made.
    private static func makeDatabase(on server: URLComponents, counted: Bool) async throws -> String {
        let number = databasesMade.wrappingAdd(1, ordering: .relaxed).newValue
        let name = "\(namePrefix)\(getpid())_\(number)"
        do {
            try await execute("CREATE DATABASE \(name)", on: server)
        } catch {
            if counted { await pool.forget() }
            throw error
        }
        return name
    }

    /// Empties `name` and hands it to the pool (when `pooled`) or drops it: a database of a
    /// nested call, or one that cannot be emptied, is dropped.
    private static func giveBack(_ name: String, on server: URLComponents, pooled: Bool) async {
        let drop = { _ = try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: server) }
        guard pooled else {
            await drop()
            return
        }
        var database = server
        database.path = "/" + name
        do {
            try await execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()",
                on: database)
            try await execute("DROP SCHEMA public CASCADE", on: database)
            try await execute("CREATE SCHEMA public", on: database)
            await pool.giveBack(name)
        } catch {
            await drop()
            await pool.forget()
        }
    }

    /// Drops the test databases of processes that are no longer running, once per process.
    private static let databasesOfEndedProcessesDropped = Task<Void, Never> {
        guard let serverURL, let server = URLComponents(string: serverURL) else { return }
        let names = (try? await databaseNames(on: server)) ?? []
        for name in names where name.hasPrefix(namePrefix) {
            let owner = name.dropFirst(namePrefix.count).split(separator: "_").first.flatMap { pid_t($0) }
            if let owner, owner != getpid(), kill(owner, 0) == 0 || errno == EPERM { continue }
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: server)
        }
    }

    /// The names of the databases on `server`.
    private static func databaseNames(on server: URLComponents) async throws -> [String] {
        try await withConnection(to: server) { connection in
            var names: [String] = []
            for try await name in try await connection.query("SELECT datname FROM pg_database", logger: logger)
                .decode(String.self)
            {
                names.append(name)
            }
            return names
        }
    }

    /// The process IDs of the server processes serving the connections to the database
    /// `url` names (other than the one asking).
    public static func serverProcesses(of url: URLComponents) async throws -> [Int32] {
        try await withConnection(to: url) { connection in
            let rows = try await connection.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                logger: logger)
            var pids: [Int32] = []
            for try await pid in rows.decode(Int32.self) { pids.append(pid) }
            return pids
        }
    }

    /// Runs one statement on a connection of its own to the database `url` names.
    public static func execute(_ sql: String, on url: URLComponents) async throws {
        try await withConnection(to: url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    private static let logger = Logger(label: "tidings-tests")

    /// Runs `body` on a connection of its own to the database `url` names, closed afterwards.
    public static func withConnection<Result>(
        to url: URLComponents, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let configuration = PostgresConnection.Configuration(
            host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres",
            password: url.password, database: String(url.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
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
