import Logging

/// Hands every stored ``StatusChange`` to every ``EventSink``, each sink on its own task so
/// that a slow or failing sink never holds up the others or the acknowledgement of callbacks.
///
/// Changes are queued in memory in the order they were stored; a delivery that throws is
/// retried with exponential backoff up to ``maximumAttempts`` times, then logged and
/// skipped. Call ``run()`` once (it returns after ``finish()`` when every queue is drained).
public final class SinkDispatcher: Sendable {
    private struct Lane: Sendable {
        let sink: any EventSink
        let changes: AsyncStream<StatusChange>
        let continuation: AsyncStream<StatusChange>.Continuation
    }

    private let lanes: [Lane]
    private let logger: Logger
    /// How many times one change is offered to a sink before it is given up.
    public let maximumAttempts: Int
    /// The pause before the first retry; each further retry doubles it.
    public let initialBackoff: Duration

    /// Creates a dispatcher for `sinks`.
    public init(
        sinks: [any EventSink], logger: Logger, maximumAttempts: Int = 5,
        initialBackoff: Duration = .milliseconds(100)
    ) {
        self.lanes = sinks.map { sink in
            let (changes, continuation) = AsyncStream<StatusChange>.makeStream()
            return Lane(sink: sink, changes: changes, continuation: continuation)
        }
        self.logger = logger
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
    }

    /// Queues a stored change for every sink. Never waits.
    public func publish(_ change: StatusChange) {
        for lane in lanes { lane.continuation.yield(change) }
    }

    /// Stops taking changes; ``run()`` returns once the queued ones are delivered.
    public func finish() {
        for lane in lanes { lane.continuation.finish() }
    }

    /// Delivers queued changes until ``finish()`` has been called and every queue is empty.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask { await self.drain(lane) }
            }
        }
    }

    private func drain(_ lane: Lane) async {
        for await change in lane.changes {
            await deliver(change, to: lane.sink)
        }
    }

    private func deliver(_ change: StatusChange, to sink: any EventSink) async {
        var backoff = initialBackoff
        for attempt in 1...maximumAttempts {
            do {
                try await sink.deliver([change])
                return
            } catch {
                let giveUp = attempt == maximumAttempts
                logger.error(
                    giveUp ? "sink gave up on a change" : "sink delivery failed; will retry",
                    metadata: [
                        "sink": "\(sink.name)", "sid": "\(change.sid)", "attempt": "\(attempt)",
                        "error": "\(error)",
                    ])
                if giveUp { return }
                try? await Task.sleep(for: backoff)
                backoff *= 2
            }
        }
    }
}
