import Foundation
import Testing
import TidingsTestSupport
import TidingsCore

/// What every store does with what a source sent that is no report.
@Suite("ReportQuarantine conformance")
struct QuarantineConformance {
    static func unreadable(_ id: String?, at second: Int) -> QuarantinedReport {
        QuarantinedReport(
            source: .eventStream, reason: "the type com.twilio.messaging.x is not a message event Tidings reads",
            eventId: id, document: #"{"id":"\#(id ?? "")","type":"com.twilio.messaging.x","data":{"é":"\u0001"}}"#,
            receivedAt: CallbackFixtures.time(second))
    }

    @Test("kept verbatim, newest first, a repeat of an event id kept once", arguments: StoreKind.allCases)
    func keptNewestFirstAndOnce(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.quarantinedReports(limit: 10).isEmpty)
            try await store.quarantine([Self.unreadable("EZ1", at: 0), Self.unreadable(nil, at: 1)])
            // Twilio delivers the batch again: the event with an id is kept once, the one
            // without cannot be told apart and is kept again.
            try await store.quarantine([Self.unreadable("EZ1", at: 2), Self.unreadable(nil, at: 3)])
            try await store.quarantine([])
            let kept = try await store.quarantinedReports(limit: 10)
            #expect(kept == [Self.unreadable(nil, at: 3), Self.unreadable(nil, at: 1), Self.unreadable("EZ1", at: 0)])
            #expect(try await store.quarantinedReports(limit: 2) == Array(kept.prefix(2)))

            // Retention: what was kept before second 1 goes; second 1 itself stays.
            #expect(try await store.deleteQuarantined(keptBefore: CallbackFixtures.time(1)) == 1)
            #expect(try await store.quarantinedReports(limit: 10) == Array(kept.prefix(2)))
            #expect(try await store.deleteQuarantined(keptBefore: CallbackFixtures.time(1)) == 0)
        }
    }
}
