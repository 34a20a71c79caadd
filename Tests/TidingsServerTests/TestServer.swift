import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// A sink that remembers what it was given.
actor RecordingSink: EventSink {
    nonisolated let name = "recording"
    private(set) var changes: [StatusChange] = []

    func deliver(_ batch: [StatusChange]) {
        changes += batch
    }

    /// Waits (bounded) until `count` changes arrived; sinks are fed asynchronously.
    func waitForChanges(count: Int) async -> [StatusChange] {
        _ = try? await eventually(timeout: .seconds(5)) { changes.count >= count }
        return changes
    }
}

/// A store that is down: every call fails, with the kind of detail a real driver gives
/// (a database URL, a user, an errno) that must never reach an HTTP answer.
struct UnavailableStore: StatusStore {
    static let detail = "postgres://tidings@db.internal:5432/tidings: connection refused (errno 111)"
    /// How many calls have failed so far.
    let failedCalls = FailedCalls()
    var down: StatusStoreError {
        failedCalls.count.add(1, ordering: .relaxed)
        return StatusStoreError(Self.detail)
    }
    var summary: String { "a store that is down" }

    func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome { throw down }
    func quarantine(_ reports: [QuarantinedReport]) async throws { throw down }
    func deleteQuarantined(keptBefore cutoff: Date) async throws -> Int { throw down }
    func quarantinedReports(limit: Int) async throws -> [QuarantinedReport] { throw down }
    func message(sid: String) async throws -> MessageRecord? { throw down }
    func channelMessages(ofConversationMessage sid: String, limit: Int) async throws -> [MessageRecord] { throw down }
    func checkAvailability() async throws { throw down }
    func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {}
    func messages(matching query: MessageQuery) async throws -> MessagePage { throw down }
    func stats(_ query: StatsQuery) async throws -> MessageStats { throw down }
    func statusSeries(_ query: SeriesQuery) async throws -> StatusSeries { throw down }
    func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange] { throw down }
    func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int { throw down }
    func changes(after seq: Int64, limit: Int) async throws -> [StatusChange] { throw down }
    func latestSeq() async throws -> Int64 { throw down }
    func registerSink(_ sink: String) async throws -> Int64 { throw down }
    func cursor(of sink: String) async throws -> Int64 { throw down }
    func advanceCursor(of sink: String, to seq: Int64) async throws { throw down }
    func resetCursor(of sink: String, to seq: Int64) async throws { throw down }
    func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws { throw down }
    func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter] { throw down }
    func deadLetterCount(of sink: String) async throws -> Int { throw down }
    func removeDeadLetters(of sink: String, ids: [String]) async throws { throw down }
    func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool { throw down }
    func releaseLease(of sink: String, by holder: String) async throws { throw down }
    func pruneChanges(through seq: Int64) async throws -> Int { throw down }
}

/// Signed requests and a configured application for the HTTP tests.
struct TestServer {
    static let authToken = "test-auth-token-0123456789abcdef"
    /// The URL of the callback route as the in-process test client's requests arrive
    /// (HummingbirdTesting's router mode sends them with the authority `localhost`).
    static let callbackURL = "http://localhost/twilio/status"

    var configuration: TidingsConfiguration = {
        var configuration = TidingsConfiguration()
        configuration.authTokens = [TestServer.authToken]
        configuration.dataDirectory = NSTemporaryDirectory() + "tidings-unused-\(UUID())"
        return configuration
    }()
    var store: any StatusStore = InMemoryStatusStore()
    let sink = RecordingSink()
    var logger = Logger(label: "test")

    func application() throws -> some ApplicationProtocol {
        try buildApplication(configuration: configuration, store: store, sinks: [SinkRoute(sink: sink)], logger: logger)
    }

    /// A form body and its headers, signed for `url` with `token`.
    static func signedForm(
        _ form: FormBody, url: String = callbackURL, token: String = authToken, extraHeaders: HTTPFields = [:]
    ) -> (headers: HTTPFields, body: ByteBuffer) {
        var headers: HTTPFields = [
            .contentType: "application/x-www-form-urlencoded",
            HTTPField.Name("X-Twilio-Signature")!: SignatureValidator.signature(authToken: token, url: url, body: .form(form)),
        ]
        headers.append(contentsOf: extraHeaders)
        return (headers, ByteBuffer(string: form.encoded()))
    }

    /// Posts a callback signed for `url` and expects the answer `expected`.
    static func post(
        _ form: FormBody, with client: some TestClientProtocol, path: String = "/twilio/status",
        url: String = callbackURL, extraHeaders: HTTPFields = [:], expecting expected: HTTPResponse.Status,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (headers, body) = signedForm(form, url: url, extraHeaders: extraHeaders)
        let sid = form["MessageSid"] ?? ""
        let before = try await document(sid, with: client)
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: body)
        #expect(response.status == expected, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        if !(200..<300).contains(expected.code) {
            #expect(try await document(sid, with: client) == before, "a refused callback changed \(sid)", sourceLocation: sourceLocation)
        }
    }

    /// The stored document of one message, as the API answers it; nil when there is none.
    static func document(_ sid: String, with client: some TestClientProtocol) async throws -> String? {
        try await client.execute(uri: "/v1/messages/\(sid)", method: .get) { response in
            response.status == .ok ? String(buffer: response.body) : nil
        }
    }

    /// Reads one message through the API.
    static func message(_ sid: String, with client: some TestClientProtocol) async throws -> MessageRecord? {
        try await client.execute(uri: "/v1/messages/\(sid)", method: .get) { response in
            guard response.status == .ok else { return nil }
            return try JSONCoding.makeDecoder().decode(MessageRecord.self, from: Data(buffer: response.body))
        }
    }
}

/// The number of calls an ``UnavailableStore`` has failed, shared by its copies.
final class FailedCalls: Sendable {
    let count = Atomic<Int>(0)
}
