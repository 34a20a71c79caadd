import Logging
import ServiceLifecycle
import TidingsCore

/// Keeps the sink gauges of ``TidingsMetrics`` current: every ``interval`` it reads
/// ``TidingsCore/SinkDispatcher/status()`` and hands it to ``TidingsMetrics/update(sinks:)``.
/// A failed reading is logged (once until readings succeed again) and retried at the next
/// tick; it never stops the service. Returns on graceful shutdown.
public struct SinkMetricsService: Service {
    let dispatcher: SinkDispatcher
    let metrics: TidingsMetrics
    /// How often the gauges are refreshed.
    public let interval: Duration
    let logger: Logger

    /// - Parameters:
    ///   - dispatcher: whose sinks to watch.
    ///   - metrics: where the sink gauges live.
    ///   - interval: how often to refresh them.
    ///   - logger: receives failed readings.
    public init(dispatcher: SinkDispatcher, metrics: TidingsMetrics, interval: Duration = .seconds(5), logger: Logger) {
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.interval = interval
        self.logger = logger
    }

    /// Refreshes the gauges until graceful shutdown or cancellation.
    public func run() async throws {
        var failing = false
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                metrics.update(sinks: try await dispatcher.status())
                if failing {
                    logger.info("the sinks' status can be read again for the metrics")
                    failing = false
                }
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    logger.error(
                        "cannot read the sinks' status for the metrics; will retry",
                        metadata: ["error": "\(error)"])
                    failing = true
                }
            }
            _ = try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }
}
