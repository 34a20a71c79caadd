import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TidingsCore
import TidingsServer
import TidingsSQLite
import TidingsTestSupport
import TwilioWebhooks

@Suite("GET /v1/messages, /healthz, /readyz")
struct StatusAPITests {
    /// A time no store column holds (a duration of 10^20 seconds ago once crashed the
    /// PostgreSQL store's conversion to milliseconds) is refused before any store sees it.
    @Test(arguments: ["/v1/messages", "/v1/stats", "/v1/stats/series", "/v1/events"])
    func aTimeBeyondTheYears1To9999IsA400(path: String) async throws {
        try await TestServer().application().test(.router) { client in
            for query in ["since=100000000000000000000s", "until=100000000000000000000s", "since=9999999999999d"] {
                let answer = try await client.execute(uri: "\(path)?\(query)", method: .get) { ($0.status, String(buffer: $0.body)) }
                #expect(answer.0 == .badRequest && answer.1.contains("outside the years 0001 to 9999"), "\(path)?\(query): \(answer.1)")
            }
        }
    }

    @Test func anUnknownSIDIs404WithAJSONError() async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/messages/SM00000000000000000000000000000000", method: .get)
            #expect(response.status == .notFound)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.code == "not_found")
        }
    }

    @Test func theRecordJSONUsesTheDesignsFieldNames() async throws {
        let sid = CallbackFixtures.sid(7)
        try await TestServer().application().test(.router) { client in
            let form = CallbackFixtures.parameters(sid: sid, status: "delivered", rawDlrDoneDate: "2611231904")
            try await TestServer.post(form, with: client, expecting: .noContent)
            let response = try await client.execute(uri: "/v1/messages/\(sid)", method: .get)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            for key in ["sid", "accountSid", "from", "to", "channel", "status", "rawDlrDoneDate", "carrierDoneAt",
                        "conflict", "timeline", "history", "firstSeenAt", "updatedAt"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            #expect(object["carrierDoneAt"] as? String == "2026-11-23T19:04:00.000Z")
        }
    }

    @Test func healthAndReadinessAnswer() async throws {
        try await TestServer().application().test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains("ready"))
        }
    }

    @Test func readinessFailsWhenTheStoreIsDown() async throws {
        var server = TestServer()
        server.store = UnavailableStore()
        try await server.application().test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let readiness = try await client.execute(uri: "/readyz", method: .get)
            #expect(readiness.status == .serviceUnavailable)
        }
    }

    @Test func aRestartKeepsEveryRecord() async throws {
        let directory = NSTemporaryDirectory() + "tidings-restart-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sids = (1...30).map { CallbackFixtures.sid($0) }
        var before: [String: MessageRecord] = [:]

        var first = TestServer()
        first.store = try SQLiteStatusStore(directory: URL(fileURLWithPath: directory), logger: Logger(label: "test"))
        try await first.application().test(.router) { client in
            for sid in sids {
                for status in ["queued", "sent", sid.hasSuffix("7") ? "undelivered" : "delivered"] {
                    try await TestServer.post(CallbackFixtures.parameters(sid: sid, status: status), with: client, expecting: .noContent)
                }
            }
        }
        for sid in sids { before[sid] = try await first.store.message(sid: sid) }
        let stored = before

        var second = TestServer()
        second.store = try SQLiteStatusStore(directory: URL(fileURLWithPath: directory), logger: Logger(label: "test"))
        try await second.application().test(.router) { client in
            for sid in sids {
                let record = try await TestServer.message(sid, with: client)
                #expect(record != nil)
                #expect(record == stored[sid])
                #expect(record?.history.count == 3)
            }
        }
    }
}
