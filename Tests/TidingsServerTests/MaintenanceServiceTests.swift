import Foundation
import Logging
import Synchronization
import Testing
import TidingsCore
@testable import TidingsServer
import TidingsTestSupport

/// Stale detection and retention run on the clock they are given: the test steps a manual
/// clock through ten minutes and an hour instead of waiting for them.
@Suite("MaintenanceService: stale messages and retention on an injected clock")
struct MaintenanceServiceTests {
    @Test func aQuietMessageIsReportedStaleAndAnOldOneDeletedAsTimeIsStepped() async throws {
        let manual = ManualClock()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let store = InMemoryStatusStore()
        let quiet = CallbackFixtures.sid(1)
        let settled = CallbackFixtures.sid(2)
        _ = try await store.record(try CallbackFixtures.callback(sid: quiet, status: "sent"), receivedAt: start)
        _ = try await store.record(try CallbackFixtures.callback(sid: settled, status: "delivered"), receivedAt: start)
        await store.quarantine([
            QuarantinedReport(source: .eventStream, reason: "unknown type", eventId: "EZ1", document: "{}", receivedAt: start),
        ])
        let reported = Atomic<Int>(0)
        let service = MaintenanceService(
            store: store, staleAfter: 600, retention: 3_600, logger: Logger(label: "test"),
            onStale: { reported.add($0, ordering: .relaxed) },
            clock: ServiceClock(manual, wallTimeAtStart: start))
        #expect(service.interval == .seconds(30))
        let running = Task { try await service.run() }
        defer { running.cancel() }

        // The first round ran at the start: nothing has been quiet for ten minutes yet.
        #expect(try await eventually { manual.sleepers == 1 })
        #expect(try await store.message(sid: quiet)?.stale == false)
        #expect(reported.load(ordering: .relaxed) == 0)

        // Ten and a half minutes later the message in flight is stale; the delivered one is not.
        manual.advance(by: .seconds(630))
        #expect(try await eventually { reported.load(ordering: .relaxed) == 1 })
        #expect(try await store.message(sid: quiet)?.stale == true)
        #expect(try await store.message(sid: settled)?.stale == false)

        // An hour after their last change both are past the retention period and deleted.
        #expect(try await eventually { manual.sleepers == 1 })
        manual.advance(by: .seconds(3_600))
        #expect(try await eventually { try await store.message(sid: quiet) == nil })
        #expect(try await store.message(sid: settled) == nil)
        #expect(try await eventually { await store.quarantinedReports(limit: 10).isEmpty }, "the quarantine follows retention")
        #expect(reported.load(ordering: .relaxed) == 1, "a message is reported stale once")
    }
}
