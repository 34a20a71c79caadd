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

    @Test("a Conversations message's channel messages are found by its SID, first seen first", arguments: StoreKind.allCases)
    func channelMessagesOfAConversationMessage(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let (message, other) = ("IM" + String(repeating: "1", count: 32), "IM" + String(repeating: "2", count: 32))
            for (index, conversationMessage) in [message, other, message].enumerated() {
                let link = ConversationLink(
                    messageSid: conversationMessage, conversationSid: "CH1", chatServiceSid: "IS1",
                    participantSid: "MB\(index)", deliveryReceiptSid: "DY\(index)")
                _ = try await store.record(
                    StatusReport(
                        source: .conversations, messageSid: Fixture.sid(50 + index), status: .sent, errorCode: nil,
                        dedupeKey: "DY\(index)/sent", channel: .sms, conversation: link,
                        fields: FormBody([.init(name: "Status", value: "sent")])),
                    receivedAt: Fixture.time(index))
            }
            // A plain callback for one of them does not unlink it.
            _ = try await store.record(try Fixture.callback(sid: Fixture.sid(52), status: "delivered"), receivedAt: Fixture.time(5))
            let found = try await store.channelMessages(ofConversationMessage: message, limit: 10)
            #expect(found.map(\.sid) == [Fixture.sid(50), Fixture.sid(52)])
            #expect(found.map(\.conversation?.participantSid) == ["MB0", "MB2"])
            #expect(found.last?.status == .delivered)
            #expect(try await store.channelMessages(ofConversationMessage: message, limit: 1).map(\.sid) == [Fixture.sid(50)])
            #expect(try await store.channelMessages(ofConversationMessage: "IM0", limit: 10).isEmpty)
        }
    }
}
