import Hummingbird

/// `GET /metrics`: every metric of ``TidingsMetrics`` in the Prometheus text format.
public struct MetricsController: Sendable {
    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let metrics: TidingsMetrics

    /// Serves `metrics`.
    public init(metrics: TidingsMetrics) {
        self.metrics = metrics
    }

    /// Adds `GET /metrics` to `router`.
    public func addRoutes(to router: some RouterMethods) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        .refuseMethods(on: "/metrics", except: [.get])
    }
}
