import Foundation
import Hummingbird
import Logging
import TidingsCore
import TwilioWebhooks

/// The routes of the application ``buildApplication(configuration:store:sinks:deliveryPolicy:openFileLimit:instance:logger:traceExport:announce:)``
/// makes, on one router, and what they share with its services. Tests list the router's
/// routes (`router.routes`) to hold the OpenAPI document (`Resources/openapi.yaml`) to them.
struct ApplicationParts {
    let router: Router<TidingsRequestContext>
    let dispatcher: SinkDispatcher
    let metrics: TidingsMetrics
    let refusals: RefusalLog
    /// Nil when there is nothing to sign in to Twilio with.
    let reconciliation: ReconciliationPasses?

    /// Wires `store` to the sinks and the live streams, and adds every route to a new router;
    /// `traced` makes every request a server span (Hummingbird's `TracingMiddleware`).
    init(
        configuration: TidingsConfiguration, store: any StatusStore, sinks: [SinkRoute], deliveryPolicy: DeliveryPolicy,
        instance: String, traced: Bool = false, logger: Logger
    ) {
        let dispatcher = SinkDispatcher(outbox: store, routes: sinks, policy: deliveryPolicy, logger: logger, instance: instance)
        // Each commit's changes go to the sinks and the live streams in memory; changes
        // stored by other instances wake them to read the outbox.
        let liveChanges = LiveChanges()
        store.observeChanges { changes in
            dispatcher.accept(changes)
            liveChanges.publish(changes)
        }

        let metrics = TidingsMetrics()
        let commits = CommitHealth()
        let refusals = RefusalLog(logger: logger)
        let router = Router(context: TidingsRequestContext.self)
        if traced {
            router.add(middleware: TracingMiddleware())
        }
        router.add(middleware: UnmatchedRouteMiddleware())
        let redactor = AddressRedactor(fields: configuration.redact)
        let signatures = SignatureCheck(
            validator: SignatureValidator(authTokens: configuration.authTokens),
            hasAuthTokens: !configuration.authTokens.isEmpty,
            failureLimiter: FailureRateLimiter(limit: configuration.signatureFailureLimit))
        let bodies = WebhookBodyReader(maximumBodySize: configuration.maximumBodySize)
        let urlResolver = SignedURLResolver(publicURL: configuration.publicURL, trustProxy: configuration.trustProxy)
        CallbackController(
            signatures: signatures, bodies: bodies, urlResolver: urlResolver, redactor: redactor, store: store,
            maximumParameters: configuration.maximumParameters, refusals: refusals,
            commits: commits, metrics: metrics, logger: logger
        ).addRoutes(to: router, path: configuration.callbackPath)
        EventStreamController(
            signatures: signatures, bodies: bodies, urlResolver: urlResolver, redactor: redactor, store: store,
            refusals: refusals, commits: commits, metrics: metrics, logger: logger
        ).addRoutes(to: router, path: configuration.eventsPath)
        ConversationsController(
            signatures: signatures, bodies: bodies, urlResolver: urlResolver, redactor: redactor, store: store,
            refusals: refusals, commits: commits, metrics: metrics, logger: logger
        ).addRoutes(to: router, path: configuration.conversationsPath)
        // Every /v1 route lives in this group, so the token guards whatever the router
        // matched there, however the path was spelled.
        let api = router.group("v1").add(middleware: APITokenMiddleware(token: configuration.apiToken))
        MessagesController(store: store, redactor: redactor, logger: logger).addRoutes(to: api)
        StatsController(store: store, catalog: .twilio, logger: logger).addRoutes(to: api)
        ErrorsController(catalog: .twilio).addRoutes(to: api)
        EventsController(outbox: store, liveChanges: liveChanges, redactor: redactor, logger: logger).addRoutes(to: api)
        SinksController(dispatcher: dispatcher, logger: logger).addRoutes(to: api)
        QuarantineController(quarantine: store, logger: logger).addRoutes(to: api)
        ConversationMessagesController(store: store, logger: logger).addRoutes(to: api)
        let reconciliation = configuration.twilioAPICredentials.map { credentials in
            ReconciliationPasses(
                reconciler: Reconciler(
                    store: store,
                    client: TwilioMessagesClient(baseURL: configuration.twilioAPIURL, credentials: credentials, client: .shared),
                    quietFor: configuration.reconcileAfter, rate: configuration.reconcileRate,
                    sweptAccounts: configuration.twilioAccountSids, logger: logger),
                leases: store, instance: instance, metrics: metrics, logger: logger)
        }
        ReconcileController(passes: reconciliation, logger: logger).addRoutes(to: api)
        OpenAPIController().addRoutes(to: api)
        ConsoleController().addRoutes(to: router)
        MetricsController(metrics: metrics).addRoutes(to: router)
        HealthController(store: store, commits: commits, logger: logger).addRoutes(to: router)
        self.router = router
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.refusals = refusals
        self.reconciliation = reconciliation
    }
}
