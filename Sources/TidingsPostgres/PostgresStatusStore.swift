import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import TidingsCore
import TwilioWebhooks

/// The ``TidingsCore/StatusStore`` for more than one Tidings instance: every instance
/// behind the load balancer connects to the same PostgreSQL database.
///
/// - Callbacks are committed in groups (``TidingsCore/GroupCommitQueue``): a group's
///   messages are read, moved by ``TidingsCore/StatusMachine`` and written back by one
///   statement that fails if another commit changed one of them in between
///   (`OptimisticCommit`); the group then runs again in a transaction that locks its
///   messages' rows (`CallbackBatch`). Commits of every instance record in parallel and
///   queue only to number their changes, at their end, so outbox `seq`s become visible in
///   order with no gaps, which is what the sinks' cursors need.
/// - The changes of a transaction are announced with `NOTIFY tidings_changes` as it
///   commits; every instance `LISTEN`s, so its sinks and `GET /v1/events` see changes that
///   another instance stored at once (``observeChanges(_:)``).
/// - Each sink is fed by one instance at a time, the one holding its lease in
///   `sink_leases`, timed by the database's clock.
/// - The schema is versioned and migrated by ``migrate()`` under an advisory lock, so
///   instances that start together do not race.
///
/// The store is a ServiceLifecycle `Service`, its own only one of ``services``: ``run()``
/// must be running (it runs postgres-nio's connection pool and the listener) for any other
/// call to go through; outside a service group, ``TidingsCore/StatusStore/whileRunning(_:)``
/// runs it.
public final class PostgresStatusStore: StatusStore, Service {
    /// The channel of `LISTEN`/`NOTIFY` on which commits announce new changes.
    static let changesChannel = "tidings_changes"

    /// Where the store connects (without the password in its description).
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    /// Times every operation's deadline (``PostgresStoreConfiguration/operationTimeout``).
    let clock: ServiceClock
    private let writer: GroupCommitQueue
    let announcements = ChangeAnnouncements()

    /// Creates the store; nothing connects until ``run()`` runs.
    ///
    /// - Parameters:
    ///   - configuration: where to connect.
    ///   - logger: where to report failed commits and lost connections.
    ///   - clock: times the operations' deadlines; tests pass a manual one.
    public init(configuration: PostgresStoreConfiguration, logger: Logger, clock: ServiceClock = .continuous) {
        let backgroundLogger = Logger(label: logger.label) { _ in PostgresBackgroundLogHandler(wrapping: logger.handler) }
        let client = PostgresClient(configuration: configuration.client, backgroundLogger: backgroundLogger)
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.clock = clock
        self.writer = GroupCommitQueue(
            storeName: "the PostgreSQL store", logger: logger, clock: clock,
            commit: CallbackBatch.commit(
                to: client, configuration: configuration, clock: clock, announcements: announcements, logger: logger))
    }

    /// Runs the connection pool and the listener for other instances' changes until the
    /// task is cancelled or the service group shuts down. A store runs once: to use the
    /// database again afterwards, make another store.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listenForChanges() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// The store runs itself: its connection pool and listener (``run()``).
    public var services: [any Service] { [self] }

    /// `PostgreSQL at postgres://user@host:port/db`, without the password.
    public var summary: String { "PostgreSQL at \(configuration.description)" }

    /// Applies the schema versions this database lacks (``migrate()``).
    public func prepare() async throws -> [Int] {
        try await migrate()
    }

    /// Calls `observer` with the changes of every commit of this instance, and with none
    /// whenever another instance committed changes (and once after the listener
    /// reconnects, in case it missed some).
    public func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {
        announcements.observers.add(observer)
    }

    /// Applies `report` to its message and returns once the transaction holding it, shared
    /// with every other report waiting at the same moment in this instance, has committed.
    ///
    /// The caller is answered within ``PostgresStoreConfiguration/operationTimeout`` of
    /// this call (and the 2 s at most that finding out why takes), however long it waited
    /// for earlier batches to commit.
    ///
    /// - Throws: `StatusStoreError` when the transaction failed or did not commit in time;
    ///   nothing of the report was stored, or it was and Twilio's retry is a repeat.
    public func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome {
        try await writer.record(
            report, receivedAt: receivedAt, answerBy: clock.now.advanced(by: configuration.operationTimeout))
    }

    /// How many callbacks wait for a batch to take them now (tests).
    var waitingCallbacks: Int { writer.waitingCallbacks }

    /// The stored record of one message; nil when no callback for it was ever stored.
    public func message(sid: String) async throws -> MessageRecord? {
        try await running("read message \(sid)") { connection in
            try await MessagesTable.record(sid: sid, on: connection, decoder: JSONCoding.makeDecoder())
        }
    }

    /// The stored document of one message, as it is (no decoding); nil when no callback for
    /// it was ever stored.
    public func messageDocument(sid: String) async throws -> [UInt8]? {
        try await running("read message \(sid)") { connection in
            try await MessagesTable.document(sid: sid, on: connection).map { Array($0.utf8) }
        }
    }

    /// The channel messages of one Conversations message, first seen first.
    public func channelMessages(ofConversationMessage sid: String, limit: Int) async throws -> [MessageRecord] {
        let limit = Int64(min(limit, 100_000))
        return try await running("read the channel messages of \(sid)") { connection in
            let decoder = JSONCoding.makeDecoder()
            var records: [MessageRecord] = []
            let rows = try await connection.query(
                """
                SELECT record FROM messages WHERE conversation_message_sid = \(sid)
                ORDER BY first_seen_at, sid LIMIT \(limit)
                """)
            for try await json in rows.decode(String.self) {
                records.append(try JSONCoding.decodeRecord(json, decoder: decoder))
            }
            return records
        }
    }

    /// Runs `SELECT 1`.
    public func checkAvailability() async throws {
        try await running("reach the database") { connection in try await connection.query("SELECT 1") }
    }

    /// Runs `body`, statements outside a transaction of their own, within
    /// ``PostgresStoreConfiguration/operationTimeout``; a failure becomes a
    /// `StatusStoreError` saying what could not be done (`action`), where, and why.
    @discardableResult
    func running<T: Sendable>(
        _ action: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await Self.running(
            action, on: client, configuration: configuration,
            deadline: .after(configuration.operationTimeout, on: clock), body)
    }

    /// ``running(_:_:)`` on one connection of `client` until `deadline`; the connection is
    /// closed if it has not answered by then (``ConnectionInUse``), so that a dead
    /// connection is never handed out again. Static for the group commit
    /// (`OptimisticCommit`), which is made before the store exists.
    static func running<T: Sendable>(
        _ action: String, on client: PostgresClient, configuration: PostgresStoreConfiguration, deadline: Deadline,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let inUse = ConnectionInUse()
        do {
            return try await withDeadline(deadline, onTimeout: inUse.closeAtDeadline) {
                try await client.withConnection { connection in
                    try inUse.begin(on: connection)
                    defer { inUse.end() }
                    return try await body(connection)
                }
            }
        } catch {
            throw await PostgresFailure.error(action, error, configuration: configuration)
        }
    }

    /// Runs `body` in a transaction, like ``running(_:_:)``.
    func writing<T: Sendable>(
        _ action: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await Self.transaction(
            action, on: client, configuration: configuration,
            deadline: .after(configuration.operationTimeout, on: clock), logger: logger, body)
    }

    /// Runs `body` in a transaction on `client` until `deadline`, closing its connection if
    /// it has not answered by then (``ConnectionInUse``); a failure becomes a
    /// `StatusStoreError` saying what could not be done, where, and why. Shared by
    /// ``writing(_:_:)`` and the group commit (`CallbackBatch`), which is made before the
    /// store exists.
    static func transaction<T: Sendable>(
        _ action: String, on client: PostgresClient, configuration: PostgresStoreConfiguration, deadline: Deadline,
        logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let inUse = ConnectionInUse()
        do {
            return try await withDeadline(deadline, onTimeout: inUse.closeAtDeadline) {
                try await client.withTransaction(logger: logger) { connection in
                    try inUse.begin(on: connection)
                    defer { inUse.end() }
                    return try await body(connection)
                }
            }
        } catch {
            throw await PostgresFailure.error(action, error, configuration: configuration)
        }
    }
}
