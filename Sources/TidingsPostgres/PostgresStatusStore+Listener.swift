import PostgresNIO

/// How an instance hears other instances' commits: one connection `LISTEN`s on
/// ``PostgresStatusStore/changesChannel``, and is asked now and then whether it still
/// answers.
///
/// A listening connection only receives, so one that a failover left open but dead — its
/// server gone without a word — would wait for notifications forever: no statement of its
/// own ever fails, and TCP never gives it up. This instance's sinks and event streams would
/// then learn of other instances' changes only when they look at the outbox by themselves
/// (every second, and at each keep-alive). So every ``listenerCheckInterval`` the
/// connection runs `SELECT 1` within ``PostgresStoreConfiguration/operationTimeout``; if it
/// does not answer, it is closed and the store listens again on a new one, telling the
/// observers to read the outbox for whatever they missed.
extension PostgresStatusStore {
    /// How often the listening connection is asked whether it still answers, on the store's
    /// clock: one cheap statement every 30 s for each instance.
    static let listenerCheckInterval: Duration = .seconds(30)

    /// Listens, and listens again after a pause of a second whenever the connection is lost
    /// or stops answering, until the task is cancelled.
    func listenForChanges() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await self.listen(on: connection) }
                        group.addTask { try await self.checkAnswering(connection) }
                        // The first to end — the connection lost, or not answering — ends both.
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "lost the PostgreSQL listener for other instances' changes; reconnecting",
                    metadata: ["store": "\(configuration.description)", "error": "\(PostgresErrorText(error))"])
            }
            try? await clock.sleep(for: .seconds(1))
        }
    }

    /// `LISTEN`s on `connection` and hands every notification to ``announcements``, and a
    /// nil one first: the observers read the outbox for what came while no one listened.
    private func listen(on connection: PostgresConnection) async throws {
        try await connection.listen(on: Self.changesChannel) { notifications in
            announcements.heard(nil)
            for try await notification in notifications { announcements.heard(notification.payload) }
        }
    }

    /// Runs `SELECT 1` on `connection` every ``listenerCheckInterval``; throws, the
    /// connection closed, when it has not answered within the operation timeout.
    private func checkAnswering(_ connection: PostgresConnection) async throws {
        while true {
            try await clock.sleep(for: Self.listenerCheckInterval)
            // Closed at the deadline, the connection ends the `LISTEN` too.
            let inUse = ConnectionInUse()
            try inUse.begin(on: connection)
            defer { inUse.end() }
            try await withDeadline(.after(configuration.operationTimeout, on: clock), onTimeout: inUse.closeAtDeadline) {
                _ = try await connection.query("SELECT 1", logger: self.logger)
            }
        }
    }
}
