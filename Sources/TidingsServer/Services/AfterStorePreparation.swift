import ServiceLifecycle

/// Runs `service` once the store is prepared, so that nothing reads or writes a store
/// whose schema may be out of date — and nothing logs errors about a database that start-up
/// is about to refuse in one line. A shutdown before then ends it without running `service`.
struct AfterStorePreparation: Service {
    let preparation: StorePreparation
    let service: any Service

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await preparation.wait() }
        } catch is CancellationError {
            return
        }
        try await service.run()
    }
}
