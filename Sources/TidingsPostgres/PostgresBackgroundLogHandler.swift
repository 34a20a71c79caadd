import Logging

/// The log of postgres-nio's connection pool: the store's own log, from `warning` up (the
/// pool reports every failed connection attempt at `info`, several a second while the
/// server is down; the store's errors say it once per operation), without the warning that
/// a connection was asked for before `PostgresClient.run()` started.
///
/// That warning is a race of start-up order, not a problem: the store starts the pool in
/// its ``PostgresStatusStore/run()``, `tidings migrate` and `serve` ask for a connection at
/// the same moment, and the request simply waits until the pool runs. Printed, it made an
/// operator's one-line error two lines, now and then.
struct PostgresBackgroundLogHandler: LogHandler {
    private var wrapped: any LogHandler
    static let startUpOrderWarning = "Trying to lease connection from `PostgresClient`, but `PostgresClient.run()` hasn't been called yet."

    init(wrapping handler: any LogHandler) {
        wrapped = handler
        wrapped.logLevel = max(handler.logLevel, .warning)
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.message.description != Self.startUpOrderWarning else { return }
        wrapped.log(event: event)
    }
}
