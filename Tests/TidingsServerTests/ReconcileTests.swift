import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import TidingsCore
@testable import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// Reconciliation against a fake Messages API on loopback: what it asks, what it records,
/// how it waits, and when it stops.
@Suite("Reconciliation with the Messages API")
struct ReconcileTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// A quiet message's last callback, two hours before `now`.
    var quiet: Date { now.addingTimeInterval(-7_200) }
    static let updated = "Fri, 15 Jan 2027 08:00:00 +0000"

    func sid(_ number: Int) -> String { CallbackFixtures.sid(0x5e00 + number) }

    /// The waits a pass asked for, instead of waiting.
    final class Waits: Sendable {
        let log = Mutex<[Duration]>([])
        var all: [Duration] { log.withLock { $0 } }
    }

    func reconciler(_ store: InMemoryStatusStore, _ api: FakeMessagesAPI, waits: Waits) -> Reconciler {
        var reconciler = Reconciler(
            store: store,
            client: TwilioMessagesClient(baseURL: api.baseURL, credentials: .accountAuthToken("token-1"), client: .shared),
            quietFor: 1_800, rate: 4, sweptAccounts: [CallbackFixtures.accountSid], logger: Logger(label: "test"))
        reconciler.sleep = { duration in waits.log.withLock { $0.append(duration) } }
        return reconciler
    }

    @Test func aPassAsksAboutQuietMessagesRecordsTheAnswersWaitsWhenToldAndCountsWhatHappened() async throws {
        let store = InMemoryStatusStore()
        // 0 moves to delivered, 1 to sent; 2 is final and 3 spoke recently: neither is asked.
        // 4 is unknown to Twilio; 5 is busy once (Retry-After 7), then delivered; 6 fails every time.
        let lives: [(Int, String, Date)] = [
            (0, "sent", quiet), (1, "queued", quiet), (2, "delivered", quiet), (3, "sent", now.addingTimeInterval(-60)),
            (4, "sent", quiet), (5, "sent", quiet), (6, "sent", quiet),
        ]
        for (number, status, at) in lives {
            _ = try await store.record(try CallbackFixtures.callback(sid: sid(number), status: status), receivedAt: at)
        }
        let sids = (0...6).map(sid)
        try await FakeMessagesAPI.with(answer: { asked, attempt in
            switch sids.firstIndex(of: asked) {
            case 0: .message(asked, "delivered", updated: Self.updated)
            case 1: .message(asked, "sent", updated: Self.updated)
            case 4: .init(status: 404, body: #"{"code":20404,"message":"not found"}"#)
            case 5: attempt == 0 ? .init(status: 429, retryAfter: "7") : .message(asked, "delivered", updated: Self.updated)
            default: .init(status: 500)
            }
        }) { api in
            let waits = Waits()
            let summary = try await reconciler(store, api, waits: waits).pass(now: now)
            #expect(summary.checked == 5 && summary.changed == 3 && summary.notFound == 1 && summary.failed == 1)
            #expect(summary.stopped == nil)

            let asked = api.requests.map(\.sid)
            #expect(Set(asked) == Set([0, 1, 4, 5, 6].map(sid)), "final and recent messages are not asked about")
            #expect(asked.filter { $0 == sid(5) }.count == 2 && asked.filter { $0 == sid(6) }.count == 3)
            let basic = "Basic " + Data("\(CallbackFixtures.accountSid):token-1".utf8).base64EncodedString()
            #expect(api.requests.allSatisfy { $0.account == CallbackFixtures.accountSid && $0.authorization == basic })
            #expect(waits.all.contains(.seconds(7)), "Retry-After is honoured")
            #expect(waits.all.filter { $0 == .milliseconds(250) }.count == 4, "four requests a second, spaced between messages")

            let moved = try #require(await store.message(sid: sid(0)))
            #expect(moved.status == .delivered && moved.history.map(\.source) == [.callback, .api])
            #expect(moved.timeline.last?.at == Date(timeIntervalSince1970: 1_800_000_000), "date_updated is the event time")
            #expect(moved.history.last?.params.first { $0.name == "body" } == nil, "the body is never kept")
            let unknown = try #require(await store.message(sid: sid(4)))
            #expect(unknown.status == .sent && unknown.history.last?.status == StatusReport.notFoundStatus)
            #expect(await store.message(sid: sid(6))?.history.count == 1, "a failure records nothing")
        }
    }

    @Test func anAnswerThatIsNoMessageFailsThatMessageOnly() async throws {
        let store = InMemoryStatusStore()
        for number in 0..<2 {
            _ = try await store.record(try CallbackFixtures.callback(sid: sid(number), status: "sent"), receivedAt: quiet)
        }
        try await FakeMessagesAPI.with(answer: { asked, _ in
            asked == sid(0) ? .init(status: 200, body: "[]") : .message(asked, "delivered", updated: Self.updated)
        }) { api in
            let summary = try await reconciler(store, api, waits: Waits()).pass(now: now)
            #expect(summary.checked == 2 && summary.failed == 1 && summary.changed == 1)
            #expect(try await store.message(sid: sid(0))?.history.count == 1, "nothing recorded for the unreadable answer")
        }
    }

    @Test func refusedCredentialsStopThePass() async throws {
        let store = InMemoryStatusStore()
        for number in 0..<3 {
            _ = try await store.record(try CallbackFixtures.callback(sid: sid(number), status: "sent"), receivedAt: quiet)
        }
        try await FakeMessagesAPI.with(answer: { _, _ in .init(status: 401) }) { api in
            let summary = try await reconciler(store, api, waits: Waits()).pass(now: now)
            #expect(summary.checked == 1 && summary.stopped?.contains("refused the credentials (401)") == true)
            #expect(api.requests.count == 1)
        }
    }

    /// A server that asks `api`, whose store holds `sid(0)` sent ten minutes ago and quiet
    /// for longer than its `--reconcile-after` (a minute).
    func serverWithAQuietMessage(asking api: FakeMessagesAPI) async throws -> TestServer {
        var server = TestServer()
        server.configuration.twilioAPIURL = api.baseURL
        server.configuration.reconcileAfter = 60
        let store = InMemoryStatusStore()
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(0), status: "sent"), receivedAt: Date().addingTimeInterval(-600))
        server.store = store
        return server
    }

    @Test func postV1ReconcileRunsAPassAndAnswersItsSummary() async throws {
        try await FakeMessagesAPI.with(answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) }) { api in
            try await serverWithAQuietMessage(asking: api).application().test(.router) { client in
                let answer = try await client.execute(uri: "/v1/reconcile", method: .post) { ($0.status, String(buffer: $0.body)) }
                #expect(answer.0 == .ok)
                let summary = try JSONDecoder().decode(ReconcileSummary.self, from: Data(answer.1.utf8))
                #expect(summary.checked == 1 && summary.changed == 1)
                #expect(try await TestServer.message(sid(0), with: client)?.status == .delivered)
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(
                    metrics.contains(#"tidings_status_changes_total{status="delivered",channel="sms"} 1"#),
                    "a change reconciliation found counts as a callback's would")
            }
        }
    }

    @Test func refusedCredentialsOverHTTPAreSaidCountedAndLeaveTheServerReady() async throws {
        try await FakeMessagesAPI.with(answer: { _, _ in .init(status: 403) }) { api in
            try await serverWithAQuietMessage(asking: api).application().test(.router) { client in
                let answer = try await client.execute(uri: "/v1/reconcile", method: .post) { ($0.status, String(buffer: $0.body)) }
                let summary = try JSONDecoder().decode(ReconcileSummary.self, from: Data(answer.1.utf8))
                #expect(answer.0 == .ok && summary.stopped?.contains("refused the credentials (403)") == true)
                #expect(!answer.1.contains(TestServer.authToken), "the answer never carries the token")
                #expect(try await client.execute(uri: "/readyz", method: .get) { $0.status } == .ok, "callbacks still flow")
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(metrics.contains(#"tidings_reconcile_passes_total{outcome="refused"} 1"#))
                #expect(metrics.contains(#"tidings_reconcile_messages_total{result="checked"} 1"#))
            }
        }
    }

    @Test func withoutCredentialsTheRouteSaysWhatToSet() async throws {
        var server = TestServer()
        server.configuration.authTokens = []
        try await server.application().test(.router) { client in
            let answer = try await client.execute(uri: "/v1/reconcile", method: .post) { ($0.status, String(buffer: $0.body)) }
            #expect(answer.0 == .conflict && answer.1.contains("TIDINGS_TWILIO_API_KEY"))
        }
    }

    @Test func aPassRunningOnAnotherInstanceIsA409AndBadSweepsSayWhy() async throws {
        try await FakeMessagesAPI.with(answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) }) { api in
            var server = TestServer()
            server.configuration.twilioAPIURL = api.baseURL
            let store = InMemoryStatusStore()
            server.store = store
            try await server.application().test(.router) { client in
                func post(_ uri: String) async throws -> (HTTPResponse.Status, String) {
                    try await client.execute(uri: uri, method: .post) { ($0.status, String(buffer: $0.body)) }
                }
                #expect(await store.acquireLease(of: ReconciliationPasses.passLease, for: "another-instance", duration: .seconds(60)))
                let busy = try await post("/v1/reconcile")
                #expect(busy.0 == .conflict && busy.1.contains("already_running"))
                await store.releaseLease(of: ReconciliationPasses.passLease, by: "another-instance")
                #expect(try await post("/v1/reconcile").0 == .ok)

                let unset = try await post("/v1/reconcile?sweep=24h")
                #expect(unset.0 == .conflict && unset.1.contains("TIDINGS_TWILIO_ACCOUNT_SID"), "no account to sweep")
                for bad in ["yesterday", "0s", "32d"] {
                    let answer = try await post("/v1/reconcile?sweep=\(bad)")
                    #expect(answer.0 == .badRequest && answer.1.contains("sweep") && answer.1.contains("31d"), "\(bad): \(answer.1)")
                }
                #expect(api.requests.isEmpty, "no pass asked Twilio anything: the store has no message")
            }
        }
    }
}
