import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// One message told of three ways — a status callback (`sent`), an Event Streams event
/// (`delivered`) and the Messages API, read by a reconciliation sweep (`read`) — through the
/// real routes, in each of the six orders of arrival: every order ends in one record whose
/// history names all three sources, in the status `read`, without a conflict.
///
/// The sweep brings the API's report in every order, so the API can be the first to tell
/// of the message (it is then `discovered`); `read` is the highest status, so the API's
/// report moves the status in every order, while the callback and the event move it only
/// when nothing further along the life came before them.
@Suite("One message, three sources, any order")
struct ThreeSourcesTests {
    let sid = CallbackFixtures.sid(0x3_5005)
    static let updated = "Fri, 15 Jan 2027 08:00:00 +0000"

    /// Every order of arrival of the three sources.
    static let orders: [[ReportSource]] = permutations(of: [.callback, .eventStream, .api])

    static func permutations(of sources: [ReportSource]) -> [[ReportSource]] {
        guard !sources.isEmpty else { return [[]] }
        return sources.indices.flatMap { index in
            var rest = sources
            let first = rest.remove(at: index)
            return permutations(of: rest).map { [first] + $0 }
        }
    }

    /// The status each source reports.
    static func status(of source: ReportSource) -> MessageStatus {
        switch source {
        case .callback: .sent
        case .eventStream: .delivered
        case .api, .conversations: .read
        }
    }

    /// One Event Streams delivery of a single `delivered` event about `sid`.
    var deliveredEvent: String {
        """
        [{"specversion":"1.0","type":"com.twilio.messaging.message.delivered",
          "source":"/2010-04-01/Accounts/\(CallbackFixtures.accountSid)/Messages/\(sid).json","id":"EZ3500500001",
          "data":{"messageSid":"\(sid)","timestamp":"2027-01-15T07:59:30.000Z","accountSid":"\(CallbackFixtures.accountSid)",
                  "eventName":"com.twilio.messaging.message.delivered","from":"\(CallbackFixtures.from)",
                  "to":"\(CallbackFixtures.to)","messageStatus":"DELIVERED"}}]
        """
    }

    /// Posts `body` to the events route, signed as Twilio signs JSON bodies (the signature
    /// over the URL that carries `bodySHA256`).
    func postEvents(_ body: String, with client: some TestClientProtocol) async throws -> (status: HTTPResponse.Status, body: String) {
        let bytes = Array(body.utf8)
        let path = "/twilio/events?bodySHA256=\(SignatureValidator.bodySHA256(of: bytes))"
        let signature = SignatureValidator.signature(authToken: TestServer.authToken, url: "http://localhost" + path, body: .json(bytes: bytes))
        let headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-Twilio-Signature")!: signature]
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    /// Lets `source` report, through its route, and checks the route's answer; `isFirst`
    /// says whether nothing was heard of the message before.
    func arrive(
        _ source: ReportSource, isFirst: Bool, with client: some TestClientProtocol, api: FakeMessagesAPI
    ) async throws {
        switch source {
        case .callback:
            try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: "sent"), with: client, expecting: .noContent)
        case .eventStream:
            let answer = try await postEvents(deliveredEvent, with: client)
            #expect(answer.status == .ok, "\(answer.body)")
            let receipt = try JSONDecoder().decode([String: Int].self, from: Data(answer.body.utf8))
            #expect(receipt == ["accepted": 1, "duplicates": 0, "quarantined": 0])
        case .api, .conversations:
            let answer = try await client.execute(uri: "/v1/reconcile?sweep=24h", method: .post) { ($0.status, String(buffer: $0.body)) }
            #expect(answer.0 == .ok, "\(answer.1)")
            let summary = try JSONDecoder().decode(ReconcileSummary.self, from: Data(answer.1.utf8))
            // The sweep lists the message and records it; a final message is never fetched.
            #expect(summary.checked == 1 && summary.notFound == 0 && summary.failed == 0 && summary.stopped == nil)
            #expect(summary.discovered == (isFirst ? 1 : 0), "discovered exactly when the API tells first")
            #expect(summary.changed == (isFirst ? 0 : 1), "read moves every message the sweep already knew")
            #expect(api.requests.map(\.sid) == [""], "the pass asked for the list only")
            #expect(api.requests.allSatisfy { $0.account == CallbackFixtures.accountSid })
        }
    }

    @Test(arguments: orders)
    func theSameMessageFromThreeSourcesEndsInOneRecordNamingAll(_ order: [ReportSource]) async throws {
        let sid = self.sid
        try await FakeMessagesAPI.with(
            answer: { _, _ in .init(status: 500) },
            list: { _ in .page([FakeMessagesAPI.Answer.messageJSON(sid, "read", updated: Self.updated)], next: nil) }
        ) { api in
            var server = TestServer()
            server.store = InMemoryStatusStore()
            server.configuration.twilioAPIURL = api.baseURL
            server.configuration.twilioAccountSids = [CallbackFixtures.accountSid]
            try await server.application().test(.router) { client in
                for (index, source) in order.enumerated() {
                    try await arrive(source, isFirst: index == 0, with: client, api: api)
                }

                let listed = try await client.execute(uri: "/v1/messages?limit=100", method: .get) { response in
                    try JSONCoding.makeDecoder().decode(MessagePage.self, from: Data(buffer: response.body))
                }
                #expect(listed.messages.map(\.sid) == [sid], "one record, for the one message")

                let record = try #require(try await TestServer.message(sid, with: client))
                #expect(Set(record.history.map(\.source)) == [.callback, .eventStream, .api])
                #expect(record.history.map(\.source) == order, "the history keeps the order of arrival")
                #expect(record.history.map(\.status) == order.map(Self.status(of:)))
                // A report moves the status when it is further along the life than all before it.
                let ranks = order.map { Self.status(of: $0).rank ?? 0 }
                #expect(record.history.map(\.applied) == ranks.indices.map { ranks[$0] > (ranks[..<$0].max() ?? -1) })
                #expect(record.history.allSatisfy { $0.duplicates == 0 })
                #expect(record.status == .read && !record.conflict)
                #expect(Set(record.timeline.map(\.status)) == [.sent, .delivered, .read])
            }
            let changes = await server.sink.waitForChanges(count: 3)
            #expect(changes.map(\.source) == order, "every report reached the sinks, with its source")
        }
    }
}
