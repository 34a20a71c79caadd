import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// `POST /twilio/events`: Twilio Event Streams deliveries, signed as Twilio signs JSON bodies.
@Suite("POST /twilio/events")
struct EventStreamRouteTests {
    let sid = CallbackFixtures.sid(0xe5)

    /// One CloudEvent as Twilio's schema `Messaging.MessageStatus` shows it, with the drift
    /// of its examples (an upper-case status, an error code as a string, nanoseconds).
    func event(
        _ id: String, _ status: String, second: Int, sid: String? = nil, errorCode: String = "\"\"",
        type: String? = nil
    ) -> String {
        let sid = sid ?? self.sid
        let type = type ?? "com.twilio.messaging.message.\(status)"
        return """
            {"specversion":"1.0","type":"\(type)","source":"/2010-04-01/Accounts/\(CallbackFixtures.accountSid)/Messages/\(sid).json",
             "id":"\(id)","dataschema":"https://events-schemas.twilio.com/Messaging.MessageStatus/8",
             "datacontenttype":"2026-11-23T19:05:00.000Z",
             "data":{"messageSid":"\(sid)","timestamp":"2026-11-23T19:04:0\(second).563495225Z",
                     "accountSid":"\(CallbackFixtures.accountSid)","eventName":"\(type)","apiVersion":"2010-04-01",
                     "from":"+15017122661","to":"+15558675310","messageStatus":"\(status.uppercased())",
                     "errorCode":\(errorCode),"numberOfSegments":1,"tags":{"team":"billing"}}}
            """
    }

    /// Posts `body` signed for the events path (its `bodySHA256` in the URL) and returns the answer.
    func post(
        _ body: String, with client: some TestClientProtocol, token: String = TestServer.authToken,
        contentType: String = "application/json"
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        let bytes = Array(body.utf8)
        let path = "/twilio/events?bodySHA256=\(SignatureValidator.bodySHA256(of: bytes))"
        let signature = SignatureValidator.signature(authToken: token, url: "http://localhost" + path, body: .json(bytes: bytes))
        let headers: HTTPFields = [.contentType: contentType, HTTPField.Name("X-Twilio-Signature")!: signature]
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    func receipt(_ body: String) throws -> [String: Int] {
        try JSONDecoder().decode([String: Int].self, from: Data(body.utf8))
    }

    @Test func aBatchWithRepeatsLateEventsAndUnknownOnesIsStoredQuarantinedAndAcknowledged() async throws {
        let server = TestServer()
        try await server.application().test(.router) { client in
            // Delivered arrives before sent; the sent event comes twice in the batch.
            let first = try await post(
                "[" + [
                    event("EZ01", "delivered", second: 7),
                    event("EZ02", "sent", second: 5),
                    event("EZ02", "sent", second: 5),
                    event("EZ03", "clicked", second: 8, type: "com.twilio.messaging.message.clicked"),
                    #"{"id":"EZ04","type":"com.twilio.messaging.message.sent","data":{"to":"+15558675310"}}"#,
                ].joined(separator: ",") + "]",
                with: client)
            #expect(first.status == .ok, "\(first.body)")
            #expect(try receipt(first.body) == ["accepted": 2, "duplicates": 1, "quarantined": 2])
            // Twilio delivers the same batch again: nothing new.
            let again = try await post("[" + event("EZ01", "delivered", second: 7) + "]", with: client)
            #expect(try receipt(again.body) == ["accepted": 0, "duplicates": 1, "quarantined": 0])

            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.status == .delivered)
            #expect(record.history.map(\.source) == [.eventStream, .eventStream])
            #expect(record.history.map(\.dedupeKey) == ["EZ01", "EZ02"])
            #expect(record.history.map(\.duplicates) == [1, 1])
            // The timeline takes Twilio's times, to the millisecond, in the order of the life.
            #expect(record.timeline.map(\.status) == [.sent, .delivered])
            #expect(record.timeline.map { JSONCoding.formatTimestamp($0.at) }
                == ["2026-11-23T19:04:05.563Z", "2026-11-23T19:04:07.563Z"])
            #expect(record.to == "+15558675310" && record.accountSid == CallbackFixtures.accountSid)
            #expect(record.history[0].params.first { $0.name == "data.tags" }?.value == #"{"team":"billing"}"#)

            let quarantine = try await client.execute(uri: "/v1/quarantine", method: .get) { String(buffer: $0.body) }
            let kept = try JSONCoding.makeDecoder().decode([String: [QuarantinedReport]].self, from: Data(quarantine.utf8))
            #expect(kept["quarantined"]?.map(\.eventId) == ["EZ04", "EZ03"])
            #expect(kept["quarantined"]?.map(\.reason) == [
                "the event has no data.messageSid",
                "the type com.twilio.messaging.message.clicked is not a message event Tidings reads",
            ])
            #expect(kept["quarantined"]?.last?.document.contains(#""eventName":"com.twilio.messaging.message.clicked""#) == true)

            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"tidings_events_total{outcome="accepted"} 2"#))
            #expect(metrics.contains(#"tidings_events_total{outcome="duplicate"} 2"#))
            #expect(metrics.contains(#"tidings_events_total{outcome="quarantined"} 2"#))
        }
        let changes = await server.sink.waitForChanges(count: 2)
        #expect(changes.map(\.source) == [.eventStream, .eventStream])
    }

    @Test func aBadSignatureIsRefusedAndNothingIsStored() async throws {
        let server = TestServer()
        try await server.application().test(.router) { client in
            let body = "[" + event("EZ01", "delivered", second: 7) + "," + event("EZ09", "x", second: 1, type: "other") + "]"
            let forged = try await post(body, with: client, token: "not-the-auth-token")
            #expect(forged.status == .forbidden)
            #expect(forged.body.contains("invalid_signature"))
            #expect(try await TestServer.message(sid, with: client) == nil)
            let quarantine = try await client.execute(uri: "/v1/quarantine", method: .get) { String(buffer: $0.body) }
            #expect(quarantine == #"{"quarantined":[]}"#)
        }
    }

    @Test func oneEventObjectIsABatchOfOne() async throws {
        try await TestServer().application().test(.router) { client in
            let answer = try await post(event("EZ01", "undelivered", second: 3, errorCode: "30003"), with: client)
            #expect(try receipt(answer.body) == ["accepted": 1, "duplicates": 0, "quarantined": 0])
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.status == .undelivered && record.errorCode == 30003)
        }
    }

    @Test func aCallbackAndAnEventForOneMessageEndInOneRecordNamingBoth() async throws {
        try await TestServer().application().test(.router) { client in
            _ = try await post(event("EZ01", "delivered", second: 7), with: client)
            try await TestServer.post(
                CallbackFixtures.parameters(sid: sid, status: "delivered"), with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.history.map(\.source) == [.eventStream, .callback])
            #expect(record.status == .delivered && !record.conflict)
        }
    }

    @Test(arguments: [
        ("not json", "application/json", HTTPResponse.Status.badRequest, "malformed_body"),
        ("42", "application/json", .badRequest, "malformed_body"),
        ("[]", "application/x-www-form-urlencoded", .unsupportedMediaType, "unsupported_media_type"),
    ])
    func aBodyThatIsNoDeliveryIsRefusedInWords(body: String, contentType: String, status: HTTPResponse.Status, code: String) async throws {
        try await TestServer().application().test(.router) { client in
            let answer = try await post(body, with: client, contentType: contentType)
            #expect(answer.status == status)
            #expect(answer.body.contains(code))
        }
    }

    @Test func aStoreThatIsDownIsA503AndTheDeliveryIsNotAcknowledged() async throws {
        var server = TestServer()
        server.store = UnavailableStore()
        try await server.application().test(.router) { client in
            let answer = try await post("[" + event("EZ01", "delivered", second: 7) + "]", with: client)
            #expect(answer.status == .serviceUnavailable)
            #expect(!answer.body.contains("db.internal"), "error bodies never carry hosts")
        }
    }
}

extension EventStreamRouteTests {
    @Test func redactedAddressesAreMaskedInRecordsAndInTheQuarantine() async throws {
        var server = TestServer()
        server.configuration.redact = [.to, .from]
        try await server.application().test(.router) { client in
            let body = "[" + event("EZ01", "sent", second: 1) + ","
                + event("EZ02", "clicked", second: 2, type: "com.twilio.messaging.message.clicked") + "]"
            #expect(try await post(body, with: client).status == .ok)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.to == "+*******5310" && record.from == "+*******2661")
            #expect(record.history[0].params.first { $0.name == "data.to" }?.value == "+*******5310")
            let quarantine = try await client.execute(uri: "/v1/quarantine", method: .get) { String(buffer: $0.body) }
            #expect(quarantine.contains(#"\"to\":\"+*******5310\""#), "\(quarantine)")
            #expect(!quarantine.contains("8675310") && !quarantine.contains("7122661"), "no address in clear")
        }
    }
}

extension EventStreamRouteTests {
    @Test func aDeliveryOverTheSizeLimitIsA413AndNothingIsStored() async throws {
        var server = TestServer()
        server.configuration.maximumBodySize = 2_048
        try await server.application().test(.router) { client in
            let body = "[" + Array(repeating: event("EZ01", "sent", second: 1), count: 8).joined(separator: ",") + "]"
            let answer = try await post(body, with: client)
            #expect(answer.status == .contentTooLarge && answer.body.contains("body_too_large"))
            #expect(try await TestServer.message(sid, with: client) == nil)
        }
    }

    @Test func aFullDiskIsA503EvenForABatchThatOnlyNeedsTheQuarantine() async throws {
        var server = TestServer()
        server.store = FullDiskStore()
        try await server.application().test(.router) { client in
            let answer = try await post("[" + event("EZ09", "x", second: 1, type: "other") + "]", with: client)
            #expect(answer.status == .serviceUnavailable)
            #expect(!answer.body.contains("/var/lib/tidings"), "error bodies never carry paths")
        }
    }

    @Test(arguments: ["0", "501", "ten"])
    func aQuarantineLimitOutOfRangeIsRefusedInWords(_ limit: String) async throws {
        try await TestServer().application().test(.router) { client in
            let answer = try await client.execute(uri: "/v1/quarantine?limit=\(limit)", method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(answer.0 == .badRequest && answer.1.contains("invalid_parameter") && answer.1.contains("limit"))
        }
    }

    @Test func theQuarantineAnswersAtMostLimitNewestFirst() async throws {
        try await TestServer().application().test(.router) { client in
            let elements = (1...3).map { event("EZ0\($0)", "x", second: $0, type: "other") }
            _ = try await post("[" + elements.joined(separator: ",") + "]", with: client)
            let answer = try await client.execute(uri: "/v1/quarantine?limit=2", method: .get) { String(buffer: $0.body) }
            let kept = try JSONCoding.makeDecoder().decode([String: [QuarantinedReport]].self, from: Data(answer.utf8))
            #expect(kept["quarantined"]?.map(\.eventId) == ["EZ03", "EZ02"])
        }
    }
}
