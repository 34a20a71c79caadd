import Logging
import Testing
import TidingsCore
@testable import TidingsPostgres
@testable import TidingsSQLite
import TidingsTestSupport

/// Every ``StatusStore`` backend that the conformance suite runs against.
///
/// PostgreSQL is among them when a test server is configured, and always under CI (see
/// ``PostgresTestDatabase``); elsewhere its own suite reports it skipped.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    static var allCases: [StoreKind] {
        PostgresTestDatabase.shouldRun ? [.memory, .sqlite, .postgres] : [.memory, .sqlite]
    }

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store of this kind (SQLite in a fresh temporary
    /// directory, PostgreSQL in a fresh database; both removed afterwards), its leases on
    /// `clock` — except PostgreSQL's, which the database's own clock times.
    func withStore<Result: Sendable>(
        clock: ServiceClock = .continuous, _ body: (any StatusStore) async throws -> Result
    ) async throws -> Result {
        switch self {
        case .memory:
            return try await body(InMemoryStatusStore(clock: clock))
        case .sqlite:
            return try await TemporaryDirectory.with { directory in
                try await body(SQLiteStatusStore(directory: directory, clock: clock))
            }
        case .postgres:
            return try await PostgresTestDatabase.withFreshDatabase { url in
                try await PostgresStatusStore.withTestStore(url: url) { store in try await body(store) }
            }
        }
    }

    /// Makes every write of a message fail inside the store's own transaction (a trigger
    /// that raises), or lifts that again: for the stores that have transactions that can
    /// fail. The memory store has none.
    func refuseWrites(_ refuse: Bool, in store: any StatusStore) async throws {
        switch self {
        case .memory:
            Issue.record("the memory store has no transaction that can fail")
        case .sqlite:
            let sql = refuse
                ? "CREATE TRIGGER refuse_writes BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                : "DROP TRIGGER refuse_writes"
            try await (store as! SQLiteStatusStore).pool.write { db in try db.execute(sql: sql) }
        case .postgres:
            let client = (store as! PostgresStatusStore).client
            if refuse {
                try await client.query(
                    "CREATE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql")
                try await client.query(
                    "CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION refuse_writes()")
            } else {
                try await client.query("DROP TRIGGER refuse_writes ON messages")
                try await client.query("DROP FUNCTION refuse_writes()")
            }
        }
    }
}

extension PostgresStatusStore {
    /// Runs `body` with a migrated, running store on the database `url` names: four
    /// connections, warnings logged, unless `configure` says otherwise.
    static func withTestStore<Result: Sendable>(
        url: String, configure: (inout PostgresStoreConfiguration, inout Logger) -> Void = { _, _ in },
        _ body: (PostgresStatusStore) async throws -> Result
    ) async throws -> Result {
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.maximumConnections = 4
        var logger = Logger(label: "tidings-tests")
        logger.logLevel = .warning
        configure(&configuration, &logger)
        let store = PostgresStatusStore(configuration: configuration, logger: logger)
        return try await store.whileRunning {
            try await store.migrate()
            return try await body(store)
        }
    }

    /// Runs `body` with a running store on the database `url` names, already migrated,
    /// whose operations give up after 1 s on `clock`, its log quiet: for the tests of a
    /// database that stops answering.
    static func withImpatientStore<Result: Sendable>(
        url: String, maximumConnections: Int = 4, clock: ServiceClock = .continuous,
        _ body: (PostgresStatusStore) async throws -> Result
    ) async throws -> Result {
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.operationTimeout = .seconds(1)
        configuration.maximumConnections = maximumConnections
        var logger = Logger(label: "tidings-tests")
        logger.logLevel = .critical
        let store = PostgresStatusStore(configuration: configuration, logger: logger, clock: clock)
        return try await store.whileRunning { try await body(store) }
    }
}
