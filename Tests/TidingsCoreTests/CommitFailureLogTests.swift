import Foundation
import Synchronization
import Testing
import TidingsTestSupport

@testable import TidingsCore

/// A store that fails every commit at once must not flood the log: the first failure in
/// full, then one line a minute at most, and one line when commits succeed again.
struct CommitFailureLogTests {
    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "database or disk is full" }
    }

    @Test func aFloodOfFailuresIsOneLineAMinuteAndTheRecoveryOneMore() {
        let captured = CapturedLog()
        let manual = ManualClock()
        let log = CommitFailureLog(
            storeName: "the SQLite store", logger: captured.logger(), interval: .seconds(60), clock: ServiceClock(manual))

        log.succeeded()
        #expect(captured.text.isEmpty, "a commit that succeeds says nothing")

        for _ in 1...500 { log.failed(DiskFull(), batchSize: 2) }
        #expect(captured.text.count == 1)
        #expect(captured.text[0].hasPrefix("error the SQLite store could not commit callbacks"))
        #expect(captured.text[0].contains("error=database or disk is full"))
        #expect(!captured.text[0].contains("failedSinceLastLine"))

        manual.advance(by: .seconds(59))
        log.failed(DiskFull(), batchSize: 2)
        #expect(captured.text.count == 1, "within the minute, counted only")
        manual.advance(by: .seconds(1))
        log.failed(DiskFull(), batchSize: 3)
        #expect(captured.text.count == 2)
        #expect(captured.text[1].contains("failedSinceLastLine=500 batches"), "\(captured.text[1])")
        #expect(captured.text[1].contains("callbacks=3"))

        manual.advance(by: .seconds(5))
        log.succeeded()
        #expect(captured.text.count == 3)
        #expect(captured.text[2].hasPrefix("notice the SQLite store commits again"))
        #expect(captured.text[2].contains("failedBatches=502"), "\(captured.text[2])")
        #expect(captured.text[2].contains("refusedCallbacks=1005"))
        #expect(captured.text[2].contains("failingFor=65.0 seconds"))

        log.succeeded()
        #expect(captured.text.count == 3, "the recovery is said once")

        // The next outage starts afresh: its first failure is logged at once.
        log.failed(DiskFull(), batchSize: 1)
        #expect(captured.text.count == 4)
        #expect(!captured.text[3].contains("failedSinceLastLine"))
    }

    @Test func aGroupCommitQueueReportsItsFailuresThroughTheLog() async throws {
        let captured = CapturedLog()
        let failing = Mutex(true)
        let queue = GroupCommitQueue(storeName: "the test store", logger: captured.logger()) { entries in
            if failing.withLock({ $0 }) { throw DiskFull() }
            return entries.map { entry in
                RecordOutcome(
                    record: MessageRecord(
                        sid: entry.report.messageSid, channel: .sms, status: .queued, firstSeenAt: entry.receivedAt),
                    change: nil)
            }
        }
        let report = StatusReport(try ShuffledLives(messages: 1, firstSID: 0xc0000).callbacks[0].callback())
        for _ in 1...20 {
            await #expect(throws: StatusStoreError.self) { try await queue.record(report, receivedAt: Date()) }
        }
        #expect(captured.text.count == 1, "\(captured.text)")
        failing.withLock { $0 = false }
        _ = try await queue.record(report, receivedAt: Date())
        #expect(captured.text.count == 2)
        #expect(captured.text[1].contains("failedBatches=20"), "\(captured.text[1])")
    }
}
