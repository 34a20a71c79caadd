/// Runs `body` and fails with ``DeadlineExceeded`` if it has not finished within
/// `timeout`, cancelling it.
///
/// postgres-nio waits as long as it takes to get a connection (it keeps retrying a server
/// that is down); a callback must rather get a `503` that Twilio retries, and `serve` a
/// start-up error that says what is wrong.
func withDeadline<Result: Sendable>(
    _ timeout: Duration, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DeadlineExceeded(timeout: timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// An operation that did not finish in time.
struct DeadlineExceeded: Error {
    let timeout: Duration
}
