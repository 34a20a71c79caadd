import Foundation
import ServiceLifecycle

/// Where message records live: every role a running Tidings needs of its store, and the
/// store's own life. One protocol, many backends (memory, SQLite, PostgreSQL), all held to
/// the same conformance tests.
///
/// Each part of Tidings asks for the role it uses — the routes of every source for
/// ``StatusRecording`` (and ``ReportQuarantine``), the API for ``MessageQuerying``,
/// maintenance for ``StoreMaintaining``, the sinks for ``ChangeOutbox`` and ``SinkLeasing`` — so that a
/// test double implements only what it serves. The requirements here are what the server
/// does with a store as a whole: run what it needs, prepare it, listen to it, describe it.
public protocol StatusStore: StatusRecording, MessageQuerying, StoreMaintaining, ChangeOutbox, SinkLeasing, ReportQuarantine {
    /// The store in words for the start-up banner and `tidings migrate`: the backend and
    /// where its data lives, never a password.
    var summary: String { get }

    /// What must run while the store is used (PostgreSQL's connection pool and its
    /// listener), as ServiceLifecycle services; none for a store that needs nothing.
    var services: [any Service] { get }

    /// Brings the store's schema up to date before it takes a callback (the services run
    /// by then); returns the schema versions it applied, none when it was up to date.
    /// Instances that start together may all call it: a store makes them wait for each
    /// other and applies each version once.
    func prepare() async throws -> [Int]

    /// Calls `observer` after every commit that stored changes, with those changes in `seq`
    /// order, so that the sinks and live streams take them from memory instead of reading
    /// the outbox back; and with none when changes were stored that this process did not
    /// commit (another instance on the same database), which must be read from the outbox.
    ///
    /// Calls for one store's commits come in the order they committed. A store keeps its
    /// observers in a ``ChangeObservers``.
    func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void)
}

extension StatusStore {
    /// Nothing to run.
    public var services: [any Service] { [] }

    /// Nothing to prepare: the store is ready when it exists.
    public func prepare() async throws -> [Int] { [] }

    /// Runs ``services`` around `body`, each in a child task cancelled when `body`
    /// returns: for tools and tests that use the store outside a service group.
    public func whileRunning<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
