import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// Reports from every source, recorded by every store: one record whose history names each
/// source, in any order of arrival, and changes that say where they came from.
@Suite("Every source through every store")
struct ReportSourceConformance {
    typealias Fixture = CallbackFixtures

    /// The same message's `delivered` as each source tells it; the event time of those that
    /// have one is a second before `Fixture.time(0)`.
    static func reports(sid: String) throws -> [StatusReport] {
        let eventAt = Fixture.time(0).addingTimeInterval(-1)
        let fields = { (name: String) in FormBody([.init(name: name, value: "delivered")]) }
        return [
            StatusReport(try Fixture.callback(sid: sid, status: "delivered", idempotencyToken: "token-1")),
            StatusReport(
                source: .eventStream, messageSid: sid, status: .delivered, errorCode: nil, eventAt: eventAt,
                dedupeKey: "EZ0001", channel: .sms, fields: fields("data.messageStatus")),
            StatusReport(
                source: .conversations, messageSid: sid, status: .delivered, errorCode: nil, eventAt: eventAt,
                dedupeKey: "DY0001@delivered", channel: .sms, fields: fields("Status")),
            StatusReport(
                source: .api, messageSid: sid, status: .delivered, errorCode: nil, eventAt: eventAt,
                dedupeKey: "delivered@1", channel: .sms, fields: fields("status")),
        ]
    }

    @Test(
        "one message told by every source, in two orders, is one record naming each source",
        arguments: StoreKind.allCases, [false, true])
    func everySourceEndsInOneRecord(kind: StoreKind, reversed: Bool) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(reversed ? 41 : 40)
            let reports = try Self.reports(sid: sid)
            let ordered = reversed ? Array(reports.reversed()) : reports
            var changes: [StatusChange] = []
            for (index, report) in ordered.enumerated() {
                let outcome = try await store.record(report, receivedAt: Fixture.time(index))
                changes.append(try #require(outcome.change, "the same news from another source is not a repeat"))
                // Every report again: a repeat from its own source, stored once.
                #expect(try await store.record(report, receivedAt: Fixture.time(index)).change == nil)
            }
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.history.map(\.source) == ordered.map(\.source))
            #expect(stored.history.map(\.duplicates) == [1, 1, 1, 1])
            #expect(stored.history.map(\.eventAt) == ordered.map(\.eventAt))
            #expect(stored.status == .delivered && !stored.conflict)
            // The event time, a second before any report arrived, is the timeline's.
            #expect(stored.timeline == [TimelineEntry(status: .delivered, at: Fixture.time(0).addingTimeInterval(-1))])
            #expect(changes.map(\.source) == ordered.map(\.source))
            let outbox = try await store.changes(after: 0, limit: 100).filter { $0.sid == sid }
            #expect(outbox.map(\.source) == ordered.map(\.source))
        }
    }
}
