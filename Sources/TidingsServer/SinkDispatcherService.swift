import ServiceLifecycle
import TidingsCore

/// Runs a ``TidingsCore/SinkDispatcher`` as part of the application's service group. On
/// graceful shutdown — which reaches it after the HTTP server has stopped taking
/// callbacks — it lets the dispatcher deliver what is queued, then returns.
struct SinkDispatcherService: Service {
    let dispatcher: SinkDispatcher

    func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.finish()
        }
    }
}
