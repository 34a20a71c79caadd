import Testing
import TidingsCore
import TidingsTestSupport

/// What every store with transactions promises when one fails: nothing of it is stored, and
/// every callback in it hears so (the HTTP layer answers 503 and Twilio retries).
@Suite("Transaction failure conformance")
struct TransactionFailureConformance {
    typealias Fixture = CallbackFixtures

    @Test("a failed transaction fails every callback in it and stores none", arguments: StoreKind.allCases.filter { $0 != .memory })
    func failedTransaction(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let known = Fixture.sid(0)
            _ = try await store.record(try Fixture.callback(sid: known, status: "sent"), receivedAt: Fixture.time(0))
            let latest = try await store.latestSeq()
            try await kind.refuseWrites(true, in: store)

            let callbacks = try [Fixture.callback(sid: known, status: "delivered")]
                + (1...20).map { try Fixture.callback(sid: Fixture.sid($0), status: "sent") }
            let results = await store.recordConcurrently(callbacks)

            #expect(results.count == callbacks.count)
            for result in results {
                #expect(throws: StatusStoreError.self) { try result.get() }
            }
            #expect(try await store.message(sid: known)?.status == .sent)
            for callback in callbacks.dropFirst() {
                #expect(try await store.message(sid: callback.messageSid) == nil)
            }
            #expect(try await store.latestSeq() == latest, "no change took a seq")

            try await kind.refuseWrites(false, in: store)
            let outcome = try await store.record(callbacks[0], receivedAt: Fixture.time(1))
            #expect(outcome.record.status == .delivered)
            #expect(try await store.message(sid: known)?.status == .delivered)
        }
    }
}
