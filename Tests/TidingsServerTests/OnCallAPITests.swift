import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport

@Suite("The on-call API: lists, stats, live events, tokens, stale messages, redaction")
struct OnCallAPITests {
    /// Posts one message life per entry: (sid number, statuses, error code of the last).
    func seed(_ client: some TestClientProtocol, _ lives: [(Int, [String], Int?)], channelPrefix: String? = nil) async throws {
        for (number, statuses, errorCode) in lives {
            for (index, status) in statuses.enumerated() {
                let last = index == statuses.count - 1
                let form = CallbackFixtures.parameters(
                    sid: CallbackFixtures.sid(number), status: status, errorCode: last ? errorCode : nil,
                    to: number.isMultiple(of: 2) ? "whatsapp:+1555000\(number)" : "+1555000\(number)",
                    from: number.isMultiple(of: 2) ? "whatsapp:+15017122661" : "+15017122661")
                try await TestServer.post(form, with: client, expecting: .noContent)
            }
        }
    }

    func page(_ client: some TestClientProtocol, _ query: String) async throws -> MessagePage {
        let response = try await client.execute(uri: "/v1/messages?\(query)", method: .get)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try JSONCoding.makeDecoder().decode(MessagePage.self, from: Data(buffer: response.body))
    }

    @Test func listsFilterAndPage() async throws {
        try await TestServer().application().test(.router) { client in
            try await seed(client, [
                (1, ["queued", "sent", "delivered"], nil), (2, ["queued", "sent", "undelivered"], 30003),
                (3, ["queued", "failed"], 30008), (4, ["queued", "sent"], nil), (5, ["queued", "sent", "undelivered"], 30005),
            ])
            let failures = try await page(client, "status=undelivered,failed")
            #expect(Set(failures.messages.map(\.sid)) == Set([2, 3, 5].map(CallbackFixtures.sid)))
            #expect(try await page(client, "errorCode=30003").messages.map(\.sid) == [CallbackFixtures.sid(2)])
            #expect(Set(try await page(client, "channel=whatsapp").messages.map(\.sid)) == Set([2, 4].map(CallbackFixtures.sid)))
            #expect(try await page(client, "final=false").messages.map(\.sid) == [CallbackFixtures.sid(4)])
            #expect(try await page(client, "to=%2B15550003").messages.map(\.sid) == [CallbackFixtures.sid(3)])

            var seen: [String] = []
            var cursor: String?
            repeat {
                let next = try await page(client, "limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += next.messages.map(\.sid)
                cursor = next.nextCursor
            } while cursor != nil
            #expect(seen.count == 5 && Set(seen).count == 5)
            #expect(seen.first == CallbackFixtures.sid(5), "newest change first")
        }
    }

    @Test("A bad query parameter is 400 naming it", arguments: ["limit=0", "since=yesterday", "final=maybe", "cursor=garbage", "errorCode=x"])
    func aBadQueryParameterIs400(query: String) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/messages?\(query)", method: .get)
            #expect(response.status == .badRequest)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.field == String(query.prefix { $0 != "=" }))
        }
    }

    @Test func statsCountMessagesAndExplainErrorCodes() async throws {
        try await TestServer().application().test(.router) { client in
            try await seed(client, [
                (1, ["queued", "sent", "delivered"], nil), (2, ["queued", "sent", "undelivered"], 30003),
                (3, ["queued", "sent", "undelivered"], 30003), (4, ["queued", "failed"], 30008),
            ])
            let response = try await client.execute(uri: "/v1/stats?since=1h", method: .get)
            #expect(response.status == .ok)
            let stats = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(stats["total"] as? Int == 4)
            #expect((stats["byStatus"] as? [String: Int]) == ["delivered": 1, "undelivered": 2, "failed": 1])
            let codes = try #require(stats["errorCodes"] as? [[String: Any]])
            #expect(codes.first?["code"] as? Int == 30003)
            #expect(codes.first?["count"] as? Int == 2)
            #expect((codes.first?["title"] as? String)?.isEmpty == false)
            #expect((stats["latency"] as? [String: Any])?["queuedToSent"] != nil)
        }
    }

    @Test func theAPITokenGuardsV1ButNotCallbacksOrHealth() async throws {
        var server = TestServer()
        server.configuration.apiToken = "api-secret"
        try await server.application().test(.router) { client in
            try await TestServer.post(CallbackFixtures.parameters(sid: CallbackFixtures.sid(1), status: "sent"), with: client, expecting: .noContent)
            let bare = try await client.execute(uri: "/v1/messages/\(CallbackFixtures.sid(1))", method: .get)
            #expect(bare.status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/v1/messages/\(CallbackFixtures.sid(1))", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let right = try await client.execute(
                uri: "/v1/messages/\(CallbackFixtures.sid(1))", method: .get, headers: [.authorization: "Bearer api-secret"])
            #expect(right.status == .ok)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func aMessageStuckInFlightIsReportedStaleOnceAndClearedByTheNextCallback() async throws {
        let server = TestServer()
        let store = server.store
        try await server.application().test(.router) { client in
            try await seed(client, [(1, ["queued", "sent"], nil), (2, ["queued", "sent", "delivered"], nil)])
            let later = Date().addingTimeInterval(60)
            #expect(try await store.markStale(lastChangeBefore: later, at: later).count == 1)
            #expect(try await store.markStale(lastChangeBefore: later, at: later).isEmpty)
            let stale = try await page(client, "stale=true")
            #expect(stale.messages.map(\.sid) == [CallbackFixtures.sid(1)])
            try await seed(client, [(1, ["delivered"], nil)])
            #expect(try await TestServer.message(CallbackFixtures.sid(1), with: client)?.stale == false)
        }
        let changes = await server.sink.waitForChanges(count: 7)
        #expect(changes.filter(\.stale).map(\.sid) == [CallbackFixtures.sid(1)])
    }

    @Test func redactedAddressesAreStoredMasked() async throws {
        var server = TestServer()
        server.configuration.redact = [.to]
        try await server.application().test(.router) { client in
            let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(9), status: "sent", to: "whatsapp:+15558675310")
            try await TestServer.post(form, with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(CallbackFixtures.sid(9), with: client))
            #expect(record.to == "whatsapp:+*******5310")
            #expect(record.history[0].params["To"] == "whatsapp:+*******5310")
            #expect(record.channel == .whatsapp)
            let found = try await page(client, "to=whatsapp:%2B15558675310")
            #expect(found.messages.map(\.sid) == [CallbackFixtures.sid(9)])
        }
    }

    @Test func liveEventsStreamAndResumeFromLastEventID() async throws {
        var server = TestServer()
        server.configuration.port = 0
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            try await seed(client, [(1, ["queued", "sent"], nil)])
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events?status=sent,delivered")
            request.headers.add(name: "Last-Event-ID", value: "0")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            let posting = Task { try await seed(client, [(2, ["queued", "delivered"], nil)]) }
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.components(separatedBy: "event: status").count - 1 >= 2 { break }
            }
            try await posting.value
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }
            #expect(ids == ["id: 0", "id: 2", "id: 4"], "starts at seq 0, then sent/delivered only: \(text)")
            #expect(text.contains(CallbackFixtures.sid(2)))
        }
    }
}

@Suite("GET /metrics behind real callbacks")
struct MetricsEndpointTests {
    /// The value of the first sample line of `name` whose labels contain `labels`.
    func value(_ name: String, labels: String = "", in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name) && !$0.hasPrefix("#") && $0.contains(labels) }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    @Test func countersMoveWhenCallbacksArrive() async throws {
        try await TestServer().application().test(.router) { client in
            let before = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(value("tidings_callbacks_total", labels: "outcome=\"accepted\"", in: before) == 0)

            let sid = CallbackFixtures.sid(77)
            try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: "sent"), with: client, expecting: .noContent)
            try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: "sent"), with: client, expecting: .noContent)
            try await TestServer.post(
                CallbackFixtures.parameters(sid: sid, status: "undelivered", errorCode: 30003), with: client, expecting: .noContent)
            let (headers, body) = TestServer.signedForm(CallbackFixtures.parameters(sid: sid, status: "read"), token: "forged")
            _ = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let after = String(buffer: response.body)
            #expect(value("tidings_callbacks_total", labels: "outcome=\"accepted\"", in: after) == 2)
            #expect(value("tidings_callbacks_total", labels: "outcome=\"duplicate\"", in: after) == 1)
            #expect(value("tidings_callbacks_total", labels: "outcome=\"forged\"", in: after) == 1)
            #expect(value("tidings_error_codes_total", labels: "code=\"30003\"", in: after) == 1)
            #expect(value("tidings_status_changes_total", labels: "status=\"undelivered\"", in: after) == 1)
        }
    }
}
