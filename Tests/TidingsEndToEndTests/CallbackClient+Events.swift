import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// What a `200` to an Event Streams delivery says became of its events: the body
/// `{"accepted":n,"duplicates":n,"quarantined":n}`.
struct EventsReceipt: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// Events that told something new, now stored.
    var accepted: Int
    /// Events stored before (the same CloudEvent `id`), not stored again.
    var duplicates: Int
    /// Elements that are no message event, kept in the quarantine.
    var quarantined: Int

    var description: String { "accepted \(accepted), duplicates \(duplicates), quarantined \(quarantined)" }
}

extension CallbackClient {
    /// The Event Streams path of the server (`--events-path`'s default).
    static let eventsPath = "/twilio/events"

    /// Posts `body` to the Event Streams path as Twilio's webhook sink does: `application/json`,
    /// the body's hex SHA-256 in the `bodySHA256` query parameter, and `X-Twilio-Signature`
    /// over the full URL including that query (the body itself is not signed).
    ///
    /// - Returns: the status code and the body of the answer.
    func postEvents(body: String) async throws -> (status: UInt, body: String) {
        let bytes = Array(body.utf8)
        let url = "http://127.0.0.1:\(port)\(Self.eventsPath)?bodySHA256=\(SignatureValidator.bodySHA256(of: bytes))"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(
            name: "X-Twilio-Signature",
            value: SignatureValidator.signature(authToken: authToken, url: url, body: .json(bytes: bytes)))
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await client.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: answer))
    }

    /// Posts `events` — each the JSON text of one CloudEvent object — as one delivery: a JSON
    /// array of them, signed as ``postEvents(body:)`` signs.
    func postEvents(_ events: [String]) async throws -> (status: UInt, body: String) {
        try await postEvents(body: "[" + events.joined(separator: ",") + "]")
    }

    /// The CloudEvent `id` of the `delivered` event of message `sid`: `EZ` and the SID's 32
    /// hex digits, so that every message's event has its own, and the same on every delivery.
    static func deliveredEventID(of sid: String) -> String {
        "EZ" + sid.dropFirst(2)
    }

    /// The JSON text of the `com.twilio.messaging.message.delivered` CloudEvent of message
    /// `sid`, shaped as Twilio's schema `Messaging.MessageStatus` shows it (upper-case
    /// `messageStatus`, an ISO 8601 `timestamp` with nanoseconds, `errorCode` `""`), with the
    /// id ``deliveredEventID(of:)``.
    static func deliveredEvent(sid: String) -> String {
        let type = "com.twilio.messaging.message.delivered"
        return """
            {"specversion":"1.0","type":"\(type)",\
            "source":"/2010-04-01/Accounts/\(CallbackFixtures.accountSid)/Messages/\(sid).json",\
            "id":"\(deliveredEventID(of: sid))","dataschema":"https://events-schemas.twilio.com/Messaging.MessageStatus/8",\
            "datacontenttype":"application/json","time":"2026-11-23T19:05:00.000Z",\
            "data":{"messageSid":"\(sid)","timestamp":"2026-11-23T19:04:07.563495225Z",\
            "accountSid":"\(CallbackFixtures.accountSid)","eventName":"\(type)","apiVersion":"2010-04-01",\
            "from":"\(CallbackFixtures.from)","to":"\(CallbackFixtures.to)","messageStatus":"DELIVERED",\
            "errorCode":"","numberOfSegments":1}}
            """
    }

    /// Posts, for every index in `indices`, the delivery `batches[index]`: one `delivered`
    /// event (``deliveredEvent(sid:)``) for each SID of that batch. `workers` concurrent
    /// senders share the indices, as the many connections of Twilio's webhook sink would.
    ///
    /// Calls `acknowledged` with the index and the receipt of each delivery the server
    /// answered `200` (the receipt is nil when the body of that `200` is no receipt). A
    /// sender stops at its first other answer or failure (the server was stopped), so the
    /// other senders' deliveries in flight decide what is acknowledged.
    func postDeliveredBatches(
        _ batches: [[String]], indices: [Int], workers: Int = 8,
        acknowledged: @escaping @Sendable (Int, EventsReceipt?) -> Void
    ) async {
        await Self.share(indices, among: workers) { index in
            let events = batches[index].map { Self.deliveredEvent(sid: $0) }
            guard let answer = try? await postEvents(events), answer.status == 200 else { return false }
            acknowledged(index, try? JSONDecoder().decode(EventsReceipt.self, from: Data(answer.body.utf8)))
            return true
        }
    }

    /// Every message the server has stored, in the order `GET /v1/messages` lists them, a
    /// thousand at a time; a message stored once is listed once, so a repeated SID here is a
    /// message stored twice.
    func storedMessages() async throws -> [MessageRecord] {
        var stored: [MessageRecord] = []
        var cursor: String?
        repeat {
            let (status, body) = try await get("/v1/messages?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""))
            try #require(status == 200)
            let page = try JSONCoding.makeDecoder().decode(MessagePage.self, from: body)
            stored.append(contentsOf: page.messages)
            cursor = page.nextCursor
        } while cursor != nil
        return stored
    }

    /// The record of message `sid` as `GET /v1/messages/{sid}` answers it; nil when the
    /// server answers anything but `200`.
    func storedMessage(_ sid: String) async throws -> MessageRecord? {
        let (status, body) = try await get("/v1/messages/\(sid)")
        guard status == 200 else { return nil }
        return try JSONCoding.makeDecoder().decode(MessageRecord.self, from: body)
    }
}
