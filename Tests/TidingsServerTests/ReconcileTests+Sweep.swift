import Foundation
import Testing
import TidingsCore
@testable import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// The sweep: the account's list of messages sent in a window, page by page, against the
/// fake Messages API.
extension ReconcileTests {
    @Test func theSweepFollowsTheNextPageDiscoversWhatWasNeverReportedAndCorrectsWhatIsFinal() async throws {
        let store = InMemoryStatusStore()
        // 0 was reported delivered, and Twilio knows it was read since (a final message is
        // never fetched one by one); 1 is in flight and delivered since; 2 never reached
        // Tidings; 3 is inbound; 4 is in flight and quiet, but not in the window's list.
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(0), status: "delivered"), receivedAt: quiet)
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(1), status: "sent"), receivedAt: quiet)
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(4), status: "sent"), receivedAt: quiet)
        let message = FakeMessagesAPI.Answer.messageJSON
        let secondPage = "/2010-04-01/Accounts/\(CallbackFixtures.accountSid)/Messages.json?PageSize=1000&Page=1&PageToken=PA2"
        try await FakeMessagesAPI.with(
            answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) },
            list: { query in
                query.contains("PageToken=PA2")
                    ? .page([message(sid(2), "undelivered", 30003, Self.updated, "outbound-api"), #"{"sid":"SM-no-status"}"#], next: nil)
                    : .page(
                        [
                            message(sid(0), "read", nil, Self.updated, "outbound-api"),
                            message(sid(1), "delivered", nil, Self.updated, "outbound-api"),
                            message(sid(3), "received", nil, Self.updated, "inbound"),
                        ], next: secondPage)
            }
        ) { api in
            let waits = Waits()
            let summary = try await reconciler(store, api, waits: waits).pass(now: now, sweep: 86_400)
            #expect(summary.discovered == 1 && summary.changed == 3, "2 is discovered; 0, 1 and (fetched) 4 changed")
            #expect(summary.checked == 4, "three listed outbound messages and one fetch")
            #expect(summary.failed == 1, "the element with no status")
            #expect(summary.notFound == 0 && summary.stopped == nil)

            let lists = api.requests.filter { $0.sid.isEmpty }
            #expect(lists.count == 2 && lists.allSatisfy { $0.account == CallbackFixtures.accountSid })
            let since = now.addingTimeInterval(-86_400).formatted(.iso8601)
            #expect(lists.first?.query == "DateSent%3E=\(since.replacingOccurrences(of: ":", with: "%3A"))&PageSize=1000")
            #expect(lists.last?.query == "PageSize=1000&Page=1&PageToken=PA2", "next_page_uri is followed as given")
            #expect(api.requests.filter { !$0.sid.isEmpty }.map(\.sid) == [sid(4)], "the swept messages are not fetched again")
            #expect(waits.all.filter { $0 == .milliseconds(250) }.count == 2, "the pages and the fetch are spaced by the rate")

            #expect(try await store.message(sid: sid(0))?.status == .read)
            let discovered = try #require(await store.message(sid: sid(2)))
            #expect(discovered.status == .undelivered && discovered.errorCode == 30003 && discovered.history.map(\.source) == [.api])
            #expect(try await store.message(sid: sid(3)) == nil, "inbound messages are not the sweep's business")
            #expect(try await store.message(sid: sid(4))?.status == .delivered)
        }
    }

    @Test func aNextPageOnAnotherHostIsNotFollowed() async throws {
        try await FakeMessagesAPI.with(
            answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) },
            list: { _ in .page([], next: "//evil.example/2010-04-01/Accounts/AC1/Messages.json") }
        ) { api in
            let summary = try await reconciler(InMemoryStatusStore(), api, waits: Waits()).pass(now: now, sweep: 3_600)
            #expect(api.requests.count == 1 && summary.failed == 0)
        }
    }

    @Test func aListTwilioRefusesStopsThePassBeforeAnyFetch() async throws {
        let store = InMemoryStatusStore()
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(0), status: "sent"), receivedAt: quiet)
        try await FakeMessagesAPI.with(
            answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) },
            list: { _ in .init(status: 403) }
        ) { api in
            let summary = try await reconciler(store, api, waits: Waits()).pass(now: now, sweep: 3_600)
            #expect(summary.stopped?.contains("(403)") == true && summary.checked == 0)
            #expect(api.requests.count == 1)
        }
    }
}
