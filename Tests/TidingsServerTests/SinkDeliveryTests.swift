import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import TidingsCore
import TidingsServer
import TidingsSinks
import TidingsTestSupport

@Suite("Sinks behind the callback route")
struct SinkDeliveryTests {
    var fastRetries: DeliveryPolicy {
        var policy = DeliveryPolicy()
        policy.initialBackoff = .milliseconds(10)
        policy.maximumBackoff = .milliseconds(50)
        policy.pollInterval = .milliseconds(20)
        return policy
    }

    @Test func aWebhookThatIsDownNeitherBlocksAcknowledgementsNorLosesChanges() async throws {
        let up = Atomic<Bool>(false)
        try await LocalReceiver.with(answer: { _ in up.load(ordering: .relaxed) ? .status(204) : .status(503) }) { receiver in
            let webhook = try WebhookSink(url: receiver.url, name: "crm")
            let store = InMemoryStatusStore()
            var configuration = TidingsConfiguration()
            configuration.authTokens = [TestServer.authToken]
            let application = try buildApplication(
                configuration: configuration, store: store, sinks: [SinkRoute(sink: webhook)],
                deliveryPolicy: fastRetries, logger: Logger(label: "test"))
            let sids = (0..<40).map { CallbackFixtures.sid(0xd000 + $0) }
            try await application.test(.router) { client in
                for sid in sids {
                    try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: "sent"), with: client, expecting: .noContent)
                }
                let down = try await client.execute(uri: "/v1/sinks", method: .get)
                let status = try JSONCoding.makeDecoder().decode([String: [SinkStatus]].self, from: Data(buffer: down.body))
                #expect(status["sinks"]?.first?.lagEvents == 40)
                #expect(status["sinks"]?.first?.lastError?.contains("503") == true)

                up.store(true, ordering: .relaxed)
                var delivered: Set<String> = []
                try await eventually(timeout: .seconds(30)) {
                    delivered = Set(receiver.requests.filter(\.wasAccepted).compactMap { $0.headers["webhook-id"] })
                    return delivered.count == sids.count
                }
                #expect(delivered == Set(sids.map { "\($0)-1" }))
            }
        }
    }

    @Test func deadLettersAreReplayedThroughTheAPI() async throws {
        let refuse = Atomic<Bool>(true)
        try await LocalReceiver.with(answer: { _ in refuse.load(ordering: .relaxed) ? .status(400) : .status(204) }) { receiver in
            let store = InMemoryStatusStore()
            var configuration = TidingsConfiguration()
            configuration.authTokens = [TestServer.authToken]
            let application = try buildApplication(
                configuration: configuration, store: store,
                sinks: [SinkRoute(sink: try WebhookSink(url: receiver.url, name: "crm"))],
                deliveryPolicy: fastRetries, logger: Logger(label: "test"))
            try await application.test(.router) { client in
                try await TestServer.post(
                    CallbackFixtures.parameters(sid: CallbackFixtures.sid(1), status: "failed", errorCode: 30008),
                    with: client, expecting: .noContent)
                try await eventually { await store.deadLetterCount(of: "crm") > 0 }
                #expect(await store.deadLetterCount(of: "crm") == 1)

                refuse.store(false, ordering: .relaxed)
                let replay = try await client.execute(
                    uri: "/v1/sinks/crm/replay", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"deadLetters": true}"#))
                #expect(replay.status == .ok)
                #expect(String(buffer: replay.body).contains(#""delivered":1"#))
                #expect(await store.deadLetterCount(of: "crm") == 0)

                let unknown = try await client.execute(
                    uri: "/v1/sinks/nope/replay", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"from": 1}"#))
                #expect(unknown.status == .notFound)
            }
        }
    }
}
