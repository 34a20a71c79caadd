import Foundation
import Testing
@testable import TwilioWebhooks

/// Event Streams deliveries are read leniently: Twilio's examples drift in types.
@Suite("MessagingEventBatch: Event Streams deliveries")
struct MessagingEventTests {
    func items(_ json: String) throws -> [MessagingEventBatch.Item] {
        try MessagingEventBatch.items(of: Array(json.utf8))
    }

    func event(_ json: String) throws -> MessagingEvent {
        let items = try items(json)
        guard case .event(let event)? = items.first, items.count == 1 else {
            Issue.record("not one event: \(items)")
            throw MessagingEventBatch.MalformedBody(description: "test")
        }
        return event
    }

    @Test(arguments: [
        (#"30003"#, 30003), (#""30003""#, 30003), (#"30003.0"#, 30003), (#""""#, nil), (#"null"#, nil),
        (#"0"#, nil), (#""n/a""#, nil),
    ] as [(String, Int?)])
    func anErrorCodeIsANumberOrANumericStringOrNone(json: String, code: Int?) throws {
        let read = try event(#"{"id":"EZ1","type":"com.twilio.messaging.message.failed","data":{"messageSid":"SM1","errorCode":\#(json)}}"#)
        #expect(read.errorCode == code)
    }

    @Test func theStatusIsReadInAnyCaseAndFromTheTypeWhenMissing() throws {
        let upper = try event(#"{"id":"EZ1","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1","messageStatus":"DELIVERED"}}"#)
        #expect(upper.status == .delivered)
        let typed = try event(#"{"id":"EZ1","type":"com.twilio.messaging.message.read","data":{"messageSid":"SM1"}}"#)
        #expect(typed.status == .read)
        let inbound = try event(#"{"id":"EZ1","type":"com.twilio.messaging.inbound-message.received","data":{"messageSid":"SM1"}}"#)
        #expect(inbound.status == .received)
    }

    @Test func timesAreReadWithNanosecondsOffsetsOrFromTheEventsTime() throws {
        let nanos = try event(#"{"id":"E","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1","timestamp":"2024-05-29T10:57:57.563495225Z"}}"#)
        #expect(nanos.timestamp == Date(timeIntervalSince1970: 1_716_980_277.563))
        let offset = try event(#"{"id":"E","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1","timestamp":"2024-05-29T12:57:57+02:00"}}"#)
        #expect(offset.timestamp == Date(timeIntervalSince1970: 1_716_980_277))
        let fallback = try event(#"{"id":"E","time":"2024-05-29T10:57:57.5Z","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1"}}"#)
        #expect(fallback.timestamp == Date(timeIntervalSince1970: 1_716_980_277.5))
        let broken = try event(#"{"id":"E","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1","timestamp":"yesterday"}}"#)
        #expect(broken.timestamp == nil)
    }

    @Test func aCarriersDoneDateIsReadInEitherForm() throws {
        #expect(DeliveryReceiptDate(raw: "2611231904").date == Date(timeIntervalSince1970: 1_795_460_640))
        #expect(DeliveryReceiptDate(raw: "2026-11-23T19:04:00.000Z").date == Date(timeIntervalSince1970: 1_795_460_640))
        #expect(DeliveryReceiptDate(raw: "2026-11-23T19:04:00.123456789Z").date == Date(timeIntervalSince1970: 1_795_460_640.123))
        #expect(DeliveryReceiptDate(raw: "2026-11-23").date == nil)
        #expect(DeliveryReceiptDate(raw: "2026-11-23T19:04:00.Z").date == nil)
    }

    @Test func everyFieldIsKeptFlatAndInOrder() throws {
        let read = try event(#"{"type":"com.twilio.messaging.message.sent","id":"EZ1","datacontenttype":"2025-10-08T07:17:02.363Z","data":{"to":"+15558675310","messageSid":"SM1","numberOfSegments":2,"tags":{"b":1,"a":"x"},"flag":true}}"#)
        #expect(read.fields.parameters.map(\.name) == [
            "datacontenttype", "id", "type", "data.flag", "data.messageSid", "data.numberOfSegments", "data.tags", "data.to",
        ])
        #expect(read.fields["data.tags"] == #"{"a":"x","b":1}"#)
        #expect(read.fields["data.numberOfSegments"] == "2")
        #expect(read.to == "+15558675310" && read.from == nil)
    }

    @Test func whatIsNoMessageEventIsKeptWithItsReason() throws {
        let read = try items(#"""
            [{"id":"EZ1","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1"}},
             {"id":"EZ2","type":"com.twilio.voice.call.completed","data":{"callSid":"CA1"}},
             {"id":"EZ3","type":"com.twilio.messaging.message.sent","data":{}},
             {"type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1"}},
             {"id":"EZ5","data":{"messageSid":"SM1"}},
             "a string", 7]
            """#)
        let reasons = read.map { item -> String in
            switch item {
            case .event(let event): "event \(event.id)"
            case .unreadable(let unreadable): "\(unreadable.id ?? "-"): \(unreadable.reason)"
            }
        }
        #expect(reasons == [
            "event EZ1",
            "EZ2: the type com.twilio.voice.call.completed is not a message event Tidings reads",
            "EZ3: the event has no data.messageSid",
            "-: the event has no id",
            "EZ5: the event has no type",
            "-: the element is not a JSON object",
            "-: the element is not a JSON object",
        ])
        guard case .unreadable(let call) = read[1] else { return }
        #expect(call.json == #"{"data":{"callSid":"CA1"},"id":"EZ2","type":"com.twilio.voice.call.completed"}"#)
    }

    @Test(arguments: ["", "not json", "42", #""text""#, "[1,"])
    func aBodyThatIsNoBatchIsRefused(_ json: String) {
        #expect(throws: MessagingEventBatch.MalformedBody.self) { try items(json) }
    }

    @Test func oneObjectIsABatchOfOne() throws {
        #expect(try items(#"{"id":"EZ1","type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1"}}"#).count == 1)
        #expect(try items("[]").isEmpty)
    }
}
