import Hummingbird
import Logging

/// Runs `router` as a real HTTP server on 127.0.0.1, on a port the system picks, for as long
/// as `body` runs; `body` gets the port. The stand-in servers of the tests are built on it.
public func withLoopbackServer<Result: Sendable>(
    _ router: Router<BasicRequestContext>, label: String, _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: label)
    logger.logLevel = .critical  // stopping by cancellation logs errors that are expected
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        defer { group.cancelAll() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return try await body(port)
    }
}
