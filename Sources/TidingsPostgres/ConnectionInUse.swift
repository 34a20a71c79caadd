import PostgresNIO
import Synchronization

/// The pooled connection an operation runs on, so that the operation's deadline can close
/// it.
///
/// A connection whose server went away without a word — a failover that leaves the old
/// connections open but dead — does not fail its statement: it waits until TCP gives up,
/// many minutes later. Were it only abandoned at the deadline, it would stay leased that
/// long, and once every connection of the pool was such a one the store could not reach
/// the new server. Closed at the deadline, it fails its statement at once and the pool
/// opens a new connection for the next operation.
final class ConnectionInUse: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var isPastDeadline = false
    }

    private let state = Mutex(State())

    /// Notes that the operation runs on `connection` now.
    ///
    /// - Throws: `CancellationError` when the deadline has passed already: the caller has
    ///   been answered, and the operation must not start late.
    func begin(on connection: PostgresConnection) throws {
        let isPastDeadline = state.withLock { state in
            if !state.isPastDeadline { state.connection = connection }
            return state.isPastDeadline
        }
        if isPastDeadline { throw CancellationError() }
    }

    /// Notes that the operation has finished with its connection.
    func end() {
        state.withLock { $0.connection = nil }
    }

    /// The deadline has passed: closes the connection the operation runs on, if any.
    func closeAtDeadline() {
        let connection = state.withLock { state -> PostgresConnection? in
            state.isPastDeadline = true
            defer { state.connection = nil }
            return state.connection
        }
        // Not awaited: the closed connection fails its statement, which ends the operation.
        _ = connection?.close() as EventLoopFuture<Void>?
    }
}
