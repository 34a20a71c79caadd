import Foundation
import Hummingbird
import Logging
import TidingsCore
import TidingsSinks
import TidingsSQLite
import TwilioWebhooks

/// Builds the Tidings HTTP application: routes, the store and the sinks, ready to run.
///
/// Tests call this with an in-memory store and sinks of their own; `tidings serve` calls
/// it with the defaults (SQLite under ``TidingsConfiguration/dataDirectory``, the log sink
/// on standard output or ``TidingsConfiguration/eventLog``).
///
/// - Parameters:
///   - configuration: the settings.
///   - store: where records live; nil opens the SQLite store in the data directory.
///   - sinks: where changes go; nil means the log sink.
///   - logger: operational logs (to standard error in `tidings serve`).
///   - announce: receives the start-up banner once the server listens.
public func buildApplication(
    configuration: TidingsConfiguration,
    store: (any StatusStore)? = nil,
    sinks: [any EventSink]? = nil,
    logger: Logger,
    announce: @escaping @Sendable (StartupBanner) -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let store = try store ?? SQLiteStatusStore(
        directory: URL(fileURLWithPath: configuration.dataDirectory), logger: logger)
    let sinks = try sinks ?? [configuration.eventLog.map(LogSink.appending(toFile:)) ?? LogSink.standardOutput()]
    let dispatcher = SinkDispatcher(sinks: sinks, logger: logger)

    let router = Router()
    CallbackController(
        validator: SignatureValidator(authTokens: configuration.authTokens),
        hasAuthTokens: !configuration.authTokens.isEmpty,
        urlResolver: SignedURLResolver(
            publicURL: configuration.publicURL, trustProxy: configuration.trustProxy,
            fallbackAuthority: "\(configuration.host):\(configuration.port)"),
        store: store, dispatcher: dispatcher, maximumBodySize: configuration.maximumBodySize,
        logger: logger
    ).addRoutes(to: router, path: configuration.callbackPath)
    MessagesController(store: store).addRoutes(to: router)
    HealthController(store: store).addRoutes(to: router)

    let storeDescription = store is SQLiteStatusStore
        ? "SQLite in \(configuration.dataDirectory)" : "\(type(of: store)) (not kept across restarts)"
    let eventLogDescription = configuration.eventLog.map { "JSON lines appended to \($0)" } ?? "JSON lines on standard output"
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tidings"),
        services: [SinkDispatcherService(dispatcher: dispatcher)],
        onServerRunning: { channel in
            announce(StartupBanner(
                configuration: configuration, boundPort: channel.localAddress?.port ?? configuration.port,
                storeDescription: storeDescription, eventLogDescription: eventLogDescription))
        },
        logger: logger
    )
}
