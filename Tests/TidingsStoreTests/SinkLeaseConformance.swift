import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// What every ``StatusStore`` must do with sink leases, the way several Tidings instances
/// on one store agree on which of them feeds a sink.
@Suite("Sink lease conformance")
struct SinkLeaseConformance {
    @Test("a lease is held by one holder until it runs out or is released", arguments: StoreKind.allCases)
    func oneHolder(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.acquireLease(of: "webhook", for: "a", duration: .seconds(30)))
            #expect(try await store.acquireLease(of: "webhook", for: "b", duration: .seconds(30)) == false)
            #expect(try await store.acquireLease(of: "webhook", for: "a", duration: .seconds(30)), "the holder renews it")
            #expect(try await store.acquireLease(of: "archive", for: "b", duration: .seconds(30)), "each sink has its own lease")

            try await store.releaseLease(of: "webhook", by: "b")
            #expect(try await store.acquireLease(of: "webhook", for: "b", duration: .seconds(30)) == false,
                    "only the holder releases it")
            try await store.releaseLease(of: "webhook", by: "a")
            #expect(try await store.acquireLease(of: "webhook", for: "b", duration: .seconds(30)))
        }
    }

    @Test("a lease that ran out goes to the next holder who asks", arguments: StoreKind.allCases)
    func expiry(kind: StoreKind) async throws {
        let manual = ManualClock()
        try await kind.withStore(clock: ServiceClock(manual)) { store in
            #expect(try await store.acquireLease(of: "webhook", for: "a", duration: .seconds(30)))
            #expect(try await store.acquireLease(of: "webhook", for: "b", duration: .seconds(30)) == false)
            // The holder renews it for a moment only; once that has passed, the lease is free.
            #expect(try await store.acquireLease(of: "webhook", for: "a", duration: .milliseconds(300)))
            if kind == .postgres {
                try await Task.sleep(for: .milliseconds(600))  // the database's clock: real time
            } else {
                manual.advance(by: .milliseconds(600))
            }
            #expect(try await store.acquireLease(of: "webhook", for: "b", duration: .seconds(30)))
            #expect(try await store.acquireLease(of: "webhook", for: "a", duration: .seconds(30)) == false)
        }
    }
}
