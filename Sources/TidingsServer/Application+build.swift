import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TidingsCore
import TidingsPostgres
import TidingsSinks
import TidingsSQLite
import TwilioWebhooks

/// Builds the Tidings HTTP application: routes, the store and the sinks, ready to run.
///
/// Tests call this with an in-memory store and sinks of their own; `tidings serve` calls
/// it with the defaults (the store ``TidingsConfiguration/store`` names, the log sink
/// on standard output or ``TidingsConfiguration/eventLog``, and the `--sink`s).
///
/// - Parameters:
///   - configuration: the settings.
///   - store: where records live; nil opens the store the configuration names. Its
///     ``TidingsCore/StatusStore/services`` run with the application's, and it is
///     prepared (migrated) once, before the server takes a request.
///   - sinks: where changes go; nil means the log sink and the configured `--sink`s.
///   - deliveryPolicy: how sinks are retried.
///   - openFileLimit: how many files the process may open, which caps the connections
///     (``ConnectionLimits/fitting(openFileLimit:)``); `tidings serve` raises the limit
///     first and passes what it got.
///   - instance: the name this instance feeds sinks under (their leases); nil for a name of
///     its own. `tidings serve` on SQLite passes its data directory claim's
///     (``DataDirectoryLock/sinkFeederName``), so that a restart takes the leases back at once.
///   - logger: operational logs (to standard error in `tidings serve`).
///   - traceExport: the service that exports spans (``TraceExport/bootstrap(environment:logger:)``),
///     when tracing is on: every request is then a server span, and the service runs with
///     the application's and stops after them, so that the last spans leave too.
///   - announce: receives the start-up banner once the server listens.
public func buildApplication(
    configuration: TidingsConfiguration,
    store: (any StatusStore)? = nil,
    sinks: [SinkRoute]? = nil,
    deliveryPolicy: DeliveryPolicy = DeliveryPolicy(),
    openFileLimit: Int = 1024,
    instance: String? = nil,
    logger: Logger,
    traceExport: (any Service)? = nil,
    announce: @escaping @Sendable (StartupBanner) -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let store = try store ?? openStore(configuration: configuration, logger: logger)
    let parts = ApplicationParts(
        configuration: configuration, store: store,
        sinks: try sinks ?? SinkFactory.routes(for: configuration, logger: logger), deliveryPolicy: deliveryPolicy,
        instance: instance ?? SinkDispatcher.uniqueInstanceName(), traced: traceExport != nil, logger: logger)
    let dispatcher = parts.dispatcher
    let metrics = parts.metrics
    let refusals = parts.refusals
    let reconciliation = parts.reconciliation

    let limits = ConnectionLimits(
        maximumConnections: configuration.maximumConnections, headerTimeout: .seconds(configuration.headerTimeout),
        bodyTimeout: .seconds(configuration.bodyTimeout), idleTimeout: .seconds(configuration.idleTimeout)
    ).fitting(openFileLimit: openFileLimit)
    if limits.maximumConnections < configuration.maximumConnections {
        logger.notice(
            "the open-file limit caps connections below --max-connections",
            metadata: ["openFileLimit": "\(openFileLimit)", "connections": "\(limits.maximumConnections)"])
    }
    let connections = ConnectionRegistry(limit: limits.maximumConnections, logger: logger)

    // The services that use the store wait until it is prepared.
    let preparation = StorePreparation()
    var storeUsers: [any Service] = [
        SinkDispatcherService(dispatcher: dispatcher),
        MaintenanceService(
            store: store, staleAfter: configuration.staleAfter,
            retention: configuration.retention, logger: logger, onStale: { metrics.staleDetected($0) }),
        SinkMetricsService(dispatcher: dispatcher, metrics: metrics, logger: logger),
    ]
    if let reconciliation, let every = configuration.reconcileEvery {
        storeUsers.append(ReconciliationService(passes: reconciliation, every: every, sweep: configuration.reconcileSweep, logger: logger))
    }
    let eventLogDescription = configuration.eventLog.map { "JSON lines appended to \($0)" } ?? "JSON lines on standard output"
    var application = Application(
        router: parts.router,
        server: .guardedHTTP1(limits: limits, registry: connections),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tidings"),
        // Services stop in the reverse order: the trace export last, after the store's own.
        services: Array(traceExport.map { [$0] } ?? []) + store.services
            + storeUsers.map { AfterStorePreparation(preparation: preparation, service: $0) } + [refusals],
        onServerRunning: { channel in
            announce(StartupBanner(
                configuration: configuration, boundPort: channel.localAddress?.port ?? configuration.port,
                storeDescription: store.summary, eventLogDescription: eventLogDescription))
        },
        logger: logger
    )
    application.beforeServerStarts {
        // Every instance brings the schema up to date before it takes a callback; the
        // migration's advisory lock lets instances that start together wait for each other.
        let applied = try await store.prepare()
        if !applied.isEmpty {
            logger.notice("store schema brought up to date", metadata: ["store": "\(store.summary)", "versions": "\(applied)"])
        }
        preparation.done()
        // A new sink starts where the outbox stands before the first callback is taken.
        // A store that does not answer now is not fatal: the dispatcher registers each sink
        // again before it feeds it, and callbacks get 503 until the store is back.
        do {
            try await dispatcher.registerSinks()
        } catch {
            logger.error("cannot register the sinks with the store; will retry", metadata: ["error": "\(error)"])
        }
    }
    return application
}

/// Opens the store `configuration` names: SQLite in its data directory, or PostgreSQL
/// (which connects once the application runs it).
func openStore(configuration: TidingsConfiguration, logger: Logger) throws -> any StatusStore {
    switch configuration.store {
    case .sqlite:
        try SQLiteStatusStore(
            directory: URL(fileURLWithPath: configuration.dataDirectory), synchronous: configuration.sqliteSynchronous,
            logger: logger)
    case .postgres(let postgres):
        PostgresStatusStore(configuration: postgres, logger: logger)
    }
}
