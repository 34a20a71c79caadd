import Foundation
import Synchronization
import Testing
import TidingsCore
import TidingsTestSupport

/// The promise behind every `200` on the Event Streams path: a delivery acknowledged before
/// `kill -9` has every one of its events in the store after a restart, and a delivery sent
/// again, as Twilio retries one it holds unacknowledged, is stored once — its events already
/// stored are counted as duplicates (by their CloudEvent `id`), not stored twice.
@Suite("Crash and restart, Event Streams")
struct EventStreamCrashTests {
    static let token = "event-stream-crash-token"
    /// Deliveries of ``batchSize`` events each.
    static let batchCount = 100
    static let batchSize = 10
    /// The first process is killed once this many deliveries are acknowledged.
    static let killAfter = 40
    /// How many deliveries acknowledged before the crash are sent again after it.
    static let reSentAcknowledged = 5

    @Test(.timeLimit(.minutes(3)))
    func acknowledgedDeliveriesSurviveSIGKILLAndRetriesAreStoredOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--data-dir", directory.path("data")]
        let environment = ["TIDINGS_AUTH_TOKEN": Self.token]
        let batches = (0..<Self.batchCount).map { batch in
            (0..<Self.batchSize).map { CallbackFixtures.sid(0xe0000 + batch * Self.batchSize + $0) }
        }
        let sids = batches.flatMap { $0 }

        // Stream deliveries at the first instance and kill it (SIGKILL) mid-stream.
        let first = try await TidingsProcess(
            arguments: arguments, environment: environment, standardOutput: directory.url("stdout-1.jsonl"))
        defer { first.stop(with: SIGKILL) }
        let beforeCrash = Receipts()
        await CallbackClient(port: first.port, authToken: Self.token).postDeliveredBatches(
            batches, indices: Array(0..<Self.batchCount)
        ) { index, receipt in
            if beforeCrash.insert(index, receipt) == Self.killAfter { first.stop(with: SIGKILL) }
        }
        let acknowledged = beforeCrash.indices
        try #require(acknowledged.count >= Self.killAfter, "the first process acknowledged too few deliveries")
        try #require(acknowledged.count < Self.batchCount, "the kill came after the last delivery")
        // Each delivery of the first process was new: every event of it stored.
        let unexpectedFirst = beforeCrash.all.filter { $0.value != EventsReceipt(accepted: Self.batchSize, duplicates: 0, quarantined: 0) }
        #expect(unexpectedFirst.isEmpty, "first deliveries not wholly accepted: \(unexpectedFirst)")

        // Restart on the same data: before anything is sent again, every event of every
        // delivery acknowledged before the crash is in the store.
        let second = try await TidingsProcess(
            arguments: arguments, environment: environment, standardOutput: directory.url("stdout-2.jsonl"))
        defer { second.stop() }
        let again = CallbackClient(port: second.port, authToken: Self.token)
        let storedAfterRestart = try await again.storedSIDs()
        let lost = acknowledged.flatMap { batches[$0] }.filter { !storedAfterRestart.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) events of acknowledged deliveries are not in the store after the crash: \(lost.prefix(10))")

        // Send again, as Twilio would, every delivery not acknowledged, and a few that were
        // (a retry of a delivery that was in fact stored: its answer was lost on the way).
        let unacknowledged = (0..<Self.batchCount).filter { !acknowledged.contains($0) }
        let sortedAcknowledged = acknowledged.sorted()
        let reSent = Array(stride(from: 0, to: sortedAcknowledged.count, by: max(1, sortedAcknowledged.count / Self.reSentAcknowledged))
            .map { sortedAcknowledged[$0] }.prefix(Self.reSentAcknowledged))
        let afterRestart = Receipts()
        await again.postDeliveredBatches(batches, indices: unacknowledged + reSent) { afterRestart.insert($0, $1) }
        let answered = afterRestart.all
        #expect(Set(answered.keys) == Set(unacknowledged + reSent), "a delivery sent again was not acknowledged")
        for index in reSent {
            let receipt = answered[index] ?? nil
            #expect(
                receipt == EventsReceipt(accepted: 0, duplicates: Self.batchSize, quarantined: 0),
                "delivery \(index), stored before the crash and sent again, answered \(String(describing: receipt))")
        }
        for index in unacknowledged {
            // In flight at the kill, some of its events may have been stored: those are duplicates now.
            let receipt = answered[index] ?? nil
            #expect(
                receipt.map { $0.accepted + $0.duplicates == Self.batchSize && $0.quarantined == 0 } == true,
                "delivery \(index), not acknowledged before the crash, answered \(String(describing: receipt))")
        }

        // The store lists every message once, delivered, with the one event that told of it.
        let stored = try await again.storedMessages()
        #expect(stored.count == sids.count, "the listing has \(stored.count) records for \(sids.count) messages")
        #expect(Set(stored.map(\.sid)) == Set(sids), "\(Set(sids).subtracting(stored.map(\.sid)).count) messages are not in the store")
        let notDelivered = stored.filter { $0.status != .delivered }.map(\.sid)
        #expect(notDelivered.isEmpty, "\(notDelivered.count) messages are not delivered: \(notDelivered.prefix(10))")
        let storedTwice = stored.filter { $0.history.count != 1 }.map { "\($0.sid): \($0.history.count)" }
        #expect(storedTwice.isEmpty, "events stored more than once: \(storedTwice.prefix(10))")

        // Read one by one: a message of each delivery sent again after it was acknowledged,
        // and one of each of a few others, holds its event once, its repeat counted.
        let reSentSample = reSent.map { batches[$0][$0 % Self.batchSize] }
        let otherSample = stride(from: 0, to: Self.batchCount, by: 10).filter { !reSent.contains($0) }.map { batches[$0][0] }
        for sid in reSentSample + otherSample {
            let record = try #require(try await again.storedMessage(sid), "\(sid) is not in the store")
            #expect(record.status == .delivered)
            #expect(record.history.map(\.source) == [.eventStream], "\(sid): \(record.history.map(\.source))")
            #expect(record.history.map(\.dedupeKey) == [CallbackClient.deliveredEventID(of: sid)])
            if reSentSample.contains(sid) {
                #expect(record.history.first?.duplicates == 1, "\(sid): the repeat after the restart is not counted")
            }
        }
    }
}

/// The deliveries a server acknowledged so far and what it answered for each, shared by the
/// tasks that send them.
private final class Receipts: Sendable {
    private let receipts = Mutex<[Int: EventsReceipt?]>([:])

    /// Keeps `receipt` as the answer to delivery `index`; returns how many are acknowledged now.
    @discardableResult
    func insert(_ index: Int, _ receipt: EventsReceipt?) -> Int {
        receipts.withLock { $0.updateValue(receipt, forKey: index); return $0.count }
    }

    /// The indices of the deliveries acknowledged so far.
    var indices: Set<Int> { Set(all.keys) }

    /// Every acknowledged delivery's index and its receipt (nil when the `200` carried none).
    var all: [Int: EventsReceipt?] { receipts.withLock { $0 } }
}
