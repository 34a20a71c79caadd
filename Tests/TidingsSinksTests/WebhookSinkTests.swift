import AsyncHTTPClient
import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks
@testable import TidingsSinks

@Suite("WebhookSink")
struct WebhookSinkTests {
    private static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// Runs `body` with a sink posting to `receiver`, shut down afterwards.
    private func withSink(
        posting receiver: LocalReceiver, url: String? = nil, secrets: [String] = [secret],
        format: WebhookPayloadFormat = .plain, timeout: Duration = .seconds(10),
        _ body: (WebhookSink) async throws -> Void
    ) async throws {
        let sink = try WebhookSink(
            url: url ?? receiver.url, secrets: secrets.map(WebhookSecret.init), format: format, timeout: timeout)
        do {
            try await body(sink)
        } catch {
            try await sink.shutdown()
            throw error
        }
        try await sink.shutdown()
    }

    /// The Standard Webhooks signature recomputed from the spec's formula:
    /// `v1,` + Base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")).
    private func expectedSignature(key: [UInt8], id: String, timestamp: String, body: Data) -> String {
        let mac = hmacSHA256(key: key, message: Array("\(id).\(timestamp).".utf8) + Array(body))
        return "v1," + Data(mac).base64EncodedString()
    }

    @Test("each request carries webhook-id, webhook-timestamp and a signature that verifies")
    func signatureVerifies() async throws {
        try await LocalReceiver.with { receiver in
            try await withSink(posting: receiver) { sink in
                try await sink.deliver([ChangeFixtures.everyField])
            }
            let request = try #require(receiver.requests.first)
            let id = try #require(request.headers["webhook-id"])
            let timestamp = try #require(request.headers["webhook-timestamp"])
            let key = try #require(Data(base64Encoded: String(Self.secret.dropFirst("whsec_".count))))

            #expect(id == ChangeFixtures.everyField.id)
            let seconds = try #require(Int64(timestamp))
            #expect(abs(seconds - Int64(Date().timeIntervalSince1970)) < 300)
            #expect(
                request.headers["webhook-signature"]
                    == expectedSignature(key: Array(key), id: id, timestamp: timestamp, body: request.body))
            #expect(request.headers["content-type"] == "application/json")
            #expect(try JSONCoding.makeDecoder().decode(StatusChange.self, from: request.body) == ChangeFixtures.everyField)
        }
    }

    @Test("several secrets give one signature each; a secret without whsec_ is its UTF-8 bytes")
    func rotatedSecrets() async throws {
        try await LocalReceiver.with { receiver in
            try await withSink(posting: receiver, secrets: [Self.secret, "plain text secret"]) { sink in
                try await sink.deliver([ChangeFixtures.change(1)])
            }
            let request = try #require(receiver.requests.first)
            let id = try #require(request.headers["webhook-id"])
            let timestamp = try #require(request.headers["webhook-timestamp"])
            let keys = [
                Array(try #require(Data(base64Encoded: String(Self.secret.dropFirst("whsec_".count))))),
                Array("plain text secret".utf8),
            ]

            let signatures = try #require(request.headers["webhook-signature"]).split(separator: " ").map(String.init)
            #expect(signatures == keys.map { expectedSignature(key: $0, id: id, timestamp: timestamp, body: request.body) })
        }
    }

    @Test("without secrets, requests carry the id and timestamp but no signature")
    func unsigned() async throws {
        try await LocalReceiver.with { receiver in
            try await withSink(posting: receiver, secrets: []) { sink in
                try await sink.deliver([ChangeFixtures.change(1)])
            }
            let request = try #require(receiver.requests.first)
            #expect(request.headers["webhook-id"] == ChangeFixtures.change(1).id)
            #expect(request.headers["webhook-timestamp"] != nil)
            #expect(request.headers["webhook-signature"] == nil)
        }
    }

    @Test("the CloudEvents format posts a structured CloudEvent around the change")
    func cloudEventsEnvelope() async throws {
        try await LocalReceiver.with { receiver in
            let change = ChangeFixtures.everyField
            try await withSink(posting: receiver, format: .cloudEvents(source: "/tidings/test")) { sink in
                try await sink.deliver([change])
            }
            let request = try #require(receiver.requests.first)
            let event = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            let data = try JSONSerialization.data(withJSONObject: try #require(event["data"]))

            #expect(request.headers["content-type"] == "application/cloudevents+json")
            #expect(event["specversion"] as? String == "1.0")
            #expect(event["id"] as? String == change.id)
            #expect(event["source"] as? String == "/tidings/test")
            #expect(event["type"] as? String == "dev.tidings.message.status_changed")
            #expect(event["subject"] as? String == change.sid)
            #expect(event["time"] as? String == "2026-11-18T11:06:47.000Z")
            #expect(event["datacontenttype"] as? String == "application/json")
            #expect(try JSONCoding.makeDecoder().decode(StatusChange.self, from: data) == change)
            #expect(request.headers["webhook-id"] == change.id)
        }
    }

    @Test("503 with Retry-After: 2 is retryable after 2 seconds, and says the status and the URL")
    func serviceUnavailable() async throws {
        try await LocalReceiver.with(answer: { _ in .status(503, retryAfter: "2") }) { receiver in
            try await withSink(posting: receiver) { sink in
                let error = try await #require(throws: SinkDeliveryError.self) {
                    try await sink.deliver([ChangeFixtures.change(1)])
                }
                #expect(!error.isPermanent)
                #expect(error.retryAfter == .seconds(2))
                #expect(error.description.contains("503"))
                #expect(error.description.contains(receiver.url))
            }
        }
    }

    @Test("408, 429 and 5xx are retryable", arguments: [408, 429, 500, 502])
    func retryableStatuses(status: Int) async throws {
        try await LocalReceiver.with(answer: { _ in .status(status) }) { receiver in
            try await withSink(posting: receiver) { sink in
                let error = try await #require(throws: SinkDeliveryError.self) {
                    try await sink.deliver([ChangeFixtures.change(1)])
                }
                #expect(!error.isPermanent)
                #expect(error.retryAfter == nil)
            }
        }
    }

    @Test("400, 404, 410 and a redirect are permanent", arguments: [400, 404, 410, 302])
    func permanentStatuses(status: Int) async throws {
        try await LocalReceiver.with(answer: { _ in .status(status) }) { receiver in
            try await withSink(posting: receiver) { sink in
                let error = try await #require(throws: SinkDeliveryError.self) {
                    try await sink.deliver([ChangeFixtures.change(1)])
                }
                #expect(error.isPermanent)
                #expect(error.description.contains("HTTP \(status)"))
            }
            #expect(receiver.requests.count == 1)
        }
    }

    @Test("a receiver that does not answer within the timeout is retryable")
    func timeout() async throws {
        try await LocalReceiver.with(answer: { _ in .stall(.seconds(2)) }) { receiver in
            try await withSink(posting: receiver, timeout: .milliseconds(300)) { sink in
                let error = try await #require(throws: SinkDeliveryError.self) {
                    try await sink.deliver([ChangeFixtures.change(1)])
                }
                #expect(!error.isPermanent)
                #expect(error.description.contains("timed out"))
            }
        }
    }

    @Test("a closed port is retryable")
    func connectionRefused() async throws {
        try await ClosedPort.with { port in
            let url = "http://127.0.0.1:\(port)/hook"
            let sink = try WebhookSink(url: url)
            let error = await #expect(throws: SinkDeliveryError.self) {
                try await sink.deliver([ChangeFixtures.change(1)])
            }
            try await sink.shutdown()
            #expect(error?.isPermanent == false)
            #expect(error?.description.contains(url) == true)
        }
    }

    @Test("a batch stops at the first failure; redelivered after recovery, it arrives whole and in order")
    func failureThenRecovery() async throws {
        try await LocalReceiver.with(answer: { $0 == 1 ? .status(500) : .status(204) }) { receiver in
            let batch = ChangeFixtures.batch(1...3)
            try await withSink(posting: receiver) { sink in
                await #expect(throws: SinkDeliveryError.self) { try await sink.deliver(batch) }
                #expect(receiver.requests.count == 2)

                try await sink.deliver(batch)
            }
            let decoder = JSONCoding.makeDecoder()
            let accepted = try receiver.acceptedBodies.map { try decoder.decode(StatusChange.self, from: $0) }
            #expect(accepted == [batch[0]] + batch)
            #expect(receiver.requests.map { $0.headers["webhook-id"] } == ([batch[0], batch[1]] + batch).map(\.id))
        }
    }

    @Test("a sink released without shutdown() shuts its own client down")
    func releasedWithoutShutdown() async throws {
        try await LocalReceiver.with { receiver in
            weak var client: HTTPClient?
            do {
                let sink = try WebhookSink(url: receiver.url)
                client = sink.client
                try await sink.deliver([ChangeFixtures.change(1)])
            }
            try await eventually(timeout: .seconds(5)) { client == nil }
            #expect(client == nil)
        }
    }

    @Test("errors show the URL without user, password or query")
    func redactedURL() async throws {
        try await LocalReceiver.with(answer: { _ in .status(400) }) { receiver in
            let url = receiver.url.replacingOccurrences(of: "http://", with: "http://user:hunter2@") + "?token=s3cret"
            try await withSink(posting: receiver, url: url) { sink in
                let error = try await #require(throws: SinkDeliveryError.self) {
                    try await sink.deliver([ChangeFixtures.change(1)])
                }
                #expect(error.description.contains(receiver.url))
                #expect(!error.description.contains("hunter2"))
                #expect(!error.description.contains("s3cret"))
                #expect(sink.displayURL == receiver.url)
            }
        }
    }

    @Test("a URL that is not absolute http(s) and a malformed secret are refused")
    func setupErrors() throws {
        #expect(throws: SinkSetupError.self) { try WebhookSink(url: "ftp://example.com/hook") }
        #expect(throws: SinkSetupError.self) { try WebhookSink(url: "/hook") }
        #expect(throws: SinkSetupError.self) { try WebhookSecret("whsec_not base64!") }
        #expect(throws: SinkSetupError.self) { try WebhookSecret("") }
        #expect(!String(describing: try WebhookSecret(Self.secret)).contains("MfKQ"))
    }
}

@Suite("Standard Webhooks signature and Retry-After")
struct WebhookHeaderTests {
    @Test("reproduces the Standard Webhooks published test vector")
    func publishedVector() throws {
        let signature = StandardWebhookSignature.signatures(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Data(#"{"test": 2432232314}"#.utf8),
            secrets: [try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")])

        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("Retry-After as seconds or as an HTTP date, in all three date forms")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 784_111_717)  // Sun, 06 Nov 1994 08:48:37 GMT
        #expect(RetryAfter.pause("2", now: now) == .seconds(2))
        #expect(RetryAfter.pause(" 120 ", now: now) == .seconds(120))
        #expect(RetryAfter.pause("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.pause("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.pause("Sun Nov  6 08:49:37 1994", now: now) == .seconds(60))
        #expect(RetryAfter.pause("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.pause("-5", now: now) == nil)
        #expect(RetryAfter.pause("soon", now: now) == nil)
    }
}
