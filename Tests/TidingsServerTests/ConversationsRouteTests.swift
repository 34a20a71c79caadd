import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// `POST /twilio/conversations` and `GET /v1/conversations/messages/{IM…}`: Conversations
/// delivery receipts, one record per participant's channel message, summed up per message.
@Suite("Conversations delivery receipts")
struct ConversationsRouteTests {
    static let message = "IM" + String(repeating: "a", count: 32)
    static let conversation = "CH" + String(repeating: "b", count: 32)
    static let service = "IS" + String(repeating: "c", count: 32)

    /// A participant: its SID, its receipt's and its channel message's.
    struct Participant {
        let number: Int
        var sid: String { "MB" + String(repeating: "\(number)", count: 32) }
        var receipt: String { "DY" + String(repeating: "\(number)", count: 32) }
        var channelMessage: String { CallbackFixtures.sid(0xc0 + number) }
    }

    static let participants = (1...3).map(Participant.init)

    /// The webhook of `participant`'s receipt taking `status`, `second` seconds in.
    func receipt(_ participant: Participant, _ status: String, second: Int, errorCode: Int? = nil) -> FormBody {
        var parameters: [FormBody.Parameter] = [
            .init(name: "AccountSid", value: CallbackFixtures.accountSid),
            .init(name: "EventType", value: "onDeliveryUpdated"),
            .init(name: "Source", value: "SDK"),
            .init(name: "DeliveryReceiptSid", value: participant.receipt),
            .init(name: "MessageSid", value: Self.message),
            .init(name: "ConversationSid", value: Self.conversation),
            .init(name: "ChatServiceSid", value: Self.service),
            .init(name: "ChannelMessageSid", value: participant.channelMessage),
            .init(name: "ParticipantSid", value: participant.sid),
            .init(name: "Status", value: status),
            .init(name: "DateCreated", value: "2026-11-23T19:04:00.000Z"),
            .init(name: "DateUpdated", value: "2026-11-23T19:04:\(10 + second).000Z"),
        ]
        if let errorCode { parameters.append(.init(name: "ErrorCode", value: String(errorCode))) }
        return FormBody(parameters)
    }

    func post(_ form: FormBody, with client: some TestClientProtocol, token: String = TestServer.authToken) async throws -> HTTPResponse.Status {
        let url = "http://localhost/twilio/conversations"
        let (headers, body) = TestServer.signedForm(form, url: url, token: token)
        return try await client.execute(uri: "/twilio/conversations", method: .post, headers: headers, body: body) { $0.status }
    }

    func delivery(with client: some TestClientProtocol) async throws -> ConversationMessageDelivery? {
        try await client.execute(uri: "/v1/conversations/messages/\(Self.message)", method: .get) { response in
            guard response.status == .ok else { return nil }
            return try JSONCoding.makeDecoder().decode(ConversationMessageDelivery.self, from: Data(buffer: response.body))
        }
    }

    @Test func threeParticipantsOneReadOneDeliveredOneUndeliveredAtEveryStep() async throws {
        let (one, two, three) = (Self.participants[0], Self.participants[1], Self.participants[2])
        typealias Expected = (total: Int, sent: String, delivered: String, read: String, undelivered: String)
        let steps: [(Participant, String, Int?, Expected)] = [
            (one, "sent", nil, (1, "all", "none", "none", "none")),
            (two, "sent", nil, (2, "all", "none", "none", "none")),
            (three, "sent", nil, (3, "all", "none", "none", "none")),
            (one, "delivered", nil, (3, "all", "some", "none", "none")),
            (two, "delivered", nil, (3, "all", "some", "none", "none")),
            (three, "undelivered", 30003, (3, "all", "some", "none", "some")),
            (one, "read", nil, (3, "all", "some", "some", "some")),
        ]
        try await TestServer().application().test(.router) { client in
            #expect(try await delivery(with: client) == nil, "404 before any receipt")
            for (index, (participant, status, errorCode, expected)) in steps.enumerated() {
                #expect(try await post(receipt(participant, status, second: index, errorCode: errorCode), with: client) == .noContent)
                let summary = try #require(try await delivery(with: client)).delivery
                let seen = (summary.total, summary.sent.rawValue, summary.delivered.rawValue, summary.read.rawValue, summary.undelivered.rawValue)
                #expect(seen == expected, "after \(participant.sid) \(status)")
                #expect(summary.failed == .none)
            }
            let final = try #require(try await delivery(with: client))
            #expect(final.sid == Self.message && final.conversationSid == Self.conversation && final.chatServiceSid == Self.service)
            #expect(final.receipts.map(\.participantSid) == [one.sid, two.sid, three.sid])
            #expect(final.receipts.map(\.sid) == [one.receipt, two.receipt, three.receipt])
            #expect(final.receipts.map(\.status) == [.read, .delivered, .undelivered])
            #expect(final.receipts[2].errorCode == 30003 && final.receipts[2].errorMessage == "Unreachable destination handset")

            // Each participant's channel message has a full record, linked and sourced.
            let record = try #require(try await TestServer.message(three.channelMessage, with: client))
            #expect(record.conversation?.messageSid == Self.message && record.conversation?.participantSid == three.sid)
            #expect(record.history.map(\.source) == [.conversations, .conversations])
            #expect(record.timeline.map { JSONCoding.formatTimestamp($0.at) } == ["2026-11-23T19:04:12.000Z", "2026-11-23T19:04:15.000Z"])
        }
    }

    @Test func aRepeatOtherEventsAndAReceiptWithoutItsMessageAreAnsweredAndNotStoredTwice() async throws {
        let one = Self.participants[0]
        try await TestServer().application().test(.router) { client in
            #expect(try await post(receipt(one, "sent", second: 0), with: client) == .noContent)
            #expect(try await post(receipt(one, "sent", second: 0), with: client) == .noContent)
            let added = FormBody([
                .init(name: "EventType", value: "onMessageAdded"), .init(name: "MessageSid", value: Self.message),
            ])
            #expect(try await post(added, with: client) == .noContent)
            let broken = FormBody(receipt(one, "delivered", second: 1).parameters.filter { $0.name != "ChannelMessageSid" })
            #expect(try await post(broken, with: client) == .noContent)

            let record = try #require(try await TestServer.message(one.channelMessage, with: client))
            #expect(record.history.map(\.duplicates) == [1])
            #expect(record.status == .sent)
            let quarantine = try await client.execute(uri: "/v1/quarantine", method: .get) { String(buffer: $0.body) }
            #expect(quarantine.contains(#""reason":"the delivery receipt has no ChannelMessageSid""#))
            #expect(quarantine.contains(#""source":"conversations""#))
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for (outcome, count) in [("accepted", 1), ("duplicate", 1), ("ignored", 1), ("quarantined", 1)] {
                #expect(metrics.contains(#"tidings_receipts_total{outcome="\#(outcome)"} \#(count)"#), "\(outcome)")
            }
        }
    }

    @Test func aForgedReceiptIsRefusedAndNothingIsStored() async throws {
        let one = Self.participants[0]
        try await TestServer().application().test(.router) { client async throws in
            #expect(try await post(receipt(one, "read", second: 0), with: client, token: "another-token") == .forbidden)
            #expect(try await TestServer.message(one.channelMessage, with: client) == nil)
            #expect(try await delivery(with: client) == nil)
        }
    }
}
