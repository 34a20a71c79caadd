import ServiceLifecycle
import TidingsCore

/// Runs a ``TidingsCore/SinkDispatcher`` as part of the application's service group. On
/// graceful shutdown — which reaches it after the HTTP server has stopped taking
/// callbacks — it stops the sinks after their current attempt; what they have not taken
/// stays in the outbox for the next start.
struct SinkDispatcherService: Service {
    let dispatcher: SinkDispatcher

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.finish()
        }
    }
}
