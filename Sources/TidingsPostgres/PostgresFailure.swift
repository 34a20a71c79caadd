import Logging
import PostgresNIO
import TidingsCore

/// Turns what went wrong with PostgreSQL into a `StatusStoreError` an operator can act on.
enum PostgresFailure {
    /// The error for `action` failing with `error` on the database `configuration` names.
    ///
    /// When the operation ran out of time, which is how an unreachable server shows (the
    /// pool keeps retrying), one direct connection attempt finds out why — refused, wrong
    /// password, no such database — and the error says so.
    static func error(
        _ action: String, _ error: any Error, configuration: PostgresStoreConfiguration
    ) async -> StatusStoreError {
        if let error = error as? StatusStoreError { return error }
        if let error = (error as? PostgresTransactionError)?.closureError as? StatusStoreError { return error }
        let database = configuration.description
        if error is DeadlineExceeded {
            return StatusStoreError(
                "cannot \(action): the PostgreSQL database \(database) did not answer within "
                    + "\(configuration.operationTimeout) "
                    + "(\(await diagnosis(of: configuration))); check that it runs, that this host can reach it, "
                    + "and the user, password and database of --store",
                underlying: error)
        }
        let text = PostgresErrorText(error)
        let advice = text.sqlState.flatMap(advice(forSQLState:)).map { ": \($0)" } ?? ""
        return StatusStoreError(
            "cannot \(action) in the PostgreSQL database \(database) (\(text))\(advice)", underlying: error)
    }

    /// What to do about an error whose SQL state alone says what is wrong with the setup.
    static func advice(forSQLState state: String) -> String? {
        switch state {
        // duplicate_prepared_statement, invalid_sql_statement_name: Tidings prepares its
        // statements once on each connection, so only another client's use of the same
        // server connection makes one exist already, or vanish.
        case "42P05", "26000":
            "a connection pooler in transaction mode (such as PgBouncer with pool_mode = transaction) seems to "
                + "stand between Tidings and PostgreSQL, and hands each connection's prepared statements to "
                + "others: use session pooling (pool_mode = session), or connect to PostgreSQL directly"
        default:
            nil
        }
    }

    /// How long ``diagnosis(of:)`` waits for its connection at most: the callers of the
    /// operation that failed wait for it too, and Twilio waits 15 s for an answer.
    static let diagnosisTimeout: Duration = .seconds(2)

    /// What one fresh connection to the server says, in words.
    static func diagnosis(of configuration: PostgresStoreConfiguration) async -> String {
        let client = configuration.client
        do {
            let connectionConfiguration = PostgresConnection.Configuration(
                host: configuration.host, port: configuration.port, username: configuration.username,
                password: configuration.password, database: configuration.database,
                tls: try configuration.tls.connection)
            // Closed inside the deadline's body, which may end after the deadline.
            try await withDeadline(.after(min(client.options.connectTimeout, diagnosisTimeout), on: .continuous)) {
                let connection = try await PostgresConnection.connect(
                    configuration: connectionConfiguration, id: 0, logger: Logger(label: "tidings-diagnosis"))
                try? await connection.close()
            }
            return "a new connection succeeds, so the server may be overloaded or out of connections"
        } catch is DeadlineExceeded {
            return "a new connection timed out"
        } catch {
            return "a new connection failed: \(PostgresErrorText(error))"
        }
    }
}
