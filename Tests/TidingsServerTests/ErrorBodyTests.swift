import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
@testable import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// A store that answers reads but cannot commit (a full disk).
struct FullDiskStore: StatusStore {
    let reads = InMemoryStatusStore()
    var summary: String { "a store on a full disk" }
    var full: StatusStoreError { StatusStoreError("disk I/O error: SQLITE_FULL writing /var/lib/tidings/tidings.sqlite-wal") }

    func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome { throw full }
    func quarantine(_ reports: [QuarantinedReport]) async throws { throw full }
    func deleteQuarantined(keptBefore cutoff: Date) async throws -> Int { 0 }
    func quarantinedReports(limit: Int) async throws -> [QuarantinedReport] { try await reads.quarantinedReports(limit: limit) }
    func message(sid: String) async throws -> MessageRecord? { try await reads.message(sid: sid) }
    func channelMessages(ofConversationMessage sid: String, limit: Int) async throws -> [MessageRecord] { [] }
    func checkAvailability() async throws {}
    func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {}
    func messages(matching query: MessageQuery) async throws -> MessagePage { try await reads.messages(matching: query) }
    func stats(_ query: StatsQuery) async throws -> MessageStats { try await reads.stats(query) }
    func statusSeries(_ query: SeriesQuery) async throws -> StatusSeries { try await reads.statusSeries(query) }
    func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange] { [] }
    func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int { 0 }
    func changes(after seq: Int64, limit: Int) async throws -> [StatusChange] { try await reads.changes(after: seq, limit: limit) }
    func latestSeq() async throws -> Int64 { try await reads.latestSeq() }
    func registerSink(_ sink: String) async throws -> Int64 { try await reads.registerSink(sink) }
    func cursor(of sink: String) async throws -> Int64 { try await reads.cursor(of: sink) }
    func advanceCursor(of sink: String, to seq: Int64) async throws { throw full }
    func resetCursor(of sink: String, to seq: Int64) async throws { throw full }
    func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws { throw full }
    func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter] { [] }
    func deadLetterCount(of sink: String) async throws -> Int { 0 }
    func removeDeadLetters(of sink: String, ids: [String]) async throws { throw full }
    func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool { true }
    func releaseLease(of sink: String, by holder: String) async throws {}
    func pruneChanges(through seq: Int64) async throws -> Int { 0 }
}

@Suite("Error answers say what failed in general terms; /readyz follows failed commits")
struct ErrorBodyTests {
    static let secrets = ["db.internal", "5432", "postgres://", "errno", "SQLITE", "/var/lib"]

    func expectNoDetail(_ response: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let body = String(buffer: response.body)
        #expect(body.contains(#""error":{"#) && body.contains(#""code":""#), "\(what) answers Tidings' JSON error: \(body)", sourceLocation: sourceLocation)
        for secret in Self.secrets {
            #expect(!body.contains(secret), "\(what) told \(secret): \(body)", sourceLocation: sourceLocation)
        }
    }

    @Test func aStoreThatIsDownIsNamedInGeneralTerms() async throws {
        var server = TestServer()
        server.store = UnavailableStore()
        try await server.application().test(.router) { client in
            for path in ["/readyz", "/v1/messages/\(CallbackFixtures.sid(1))", "/v1/messages", "/v1/stats", "/v1/stats/series", "/v1/sinks", "/v1/events"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .serviceUnavailable, "\(path)")
                expectNoDetail(response, path)
            }
            let replay = try await client.execute(
                uri: "/v1/sinks/recording/replay", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"from": 1}"#))
            #expect(replay.status == .serviceUnavailable)
            expectNoDetail(replay, "replay")
        }
    }

    @Test func readinessFailsWhileTheStoreCannotCommit() async throws {
        var server = TestServer()
        server.store = FullDiskStore()
        try await server.application().test(.router) { client in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok, "reads work, nothing failed yet")
            try await TestServer.post(
                CallbackFixtures.parameters(sid: CallbackFixtures.sid(2), status: "sent"), with: client, expecting: .serviceUnavailable)
            let readiness = try await client.execute(uri: "/readyz", method: .get)
            #expect(readiness.status == .serviceUnavailable, "the load balancer must send callbacks elsewhere")
            expectNoDetail(readiness, "/readyz")
        }
    }
}

@Suite("CommitHealth")
struct CommitHealthTests {
    final class Clock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
    }

    @Test func aFailureCountsForItsWindowThenTrafficIsOfferedAgain() {
        let clock = Clock()
        let health = CommitHealth(window: 30, now: { clock.now })
        #expect(health.recentFailure == nil)
        health.failed()
        #expect(health.recentFailure != nil)
        clock.now += 29
        #expect(health.recentFailure != nil)
        clock.now += 2
        #expect(health.recentFailure == nil, "after the window the instance is offered traffic again")
        health.failed()
        health.committed()
        #expect(health.recentFailure == nil, "a commit ends the failure at once")
    }
}
