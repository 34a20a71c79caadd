import Foundation
import Synchronization
import Testing
import TidingsTestSupport

@testable import TidingsCore

/// A callback still waiting for a batch when its answer falls due (`Entry.answerBy`) is not
/// committed: its caller gets a failure at once, and the callbacks of the same batch that
/// are still waited for are committed without it. Time is a manual clock.
struct GroupCommitQueueDeadlineTests {
    @Test func aCallbackOverdueWhenItsBatchStartsIsNotCommittedAndTheRestOfTheBatchIs() async throws {
        let manual = ManualClock()
        let clock = ServiceClock(manual)
        let committed = Mutex<[[String]]>([])
        let (firstGroupGoes, releaseFirstGroup) = AsyncStream.makeStream(of: Void.self)
        let queue = GroupCommitQueue(storeName: "the test store", clock: clock) { entries in
            let isFirst = committed.withLock { groups in
                groups.append(entries.map(\.report.messageSid))
                return groups.count == 1
            }
            if isFirst { for await _ in firstGroupGoes { break } }
            return entries.map { entry in
                RecordOutcome(
                    record: MessageRecord(
                        sid: entry.report.messageSid, channel: .sms, status: .queued, firstSeenAt: entry.receivedAt),
                    change: nil)
            }
        }
        let (first, overdue, due) = (CallbackFixtures.sid(0xC100), CallbackFixtures.sid(0xC101), CallbackFixtures.sid(0xC102))
        @Sendable func record(_ sid: String, within timeout: Duration) async throws -> RecordOutcome {
            let report = StatusReport(try CallbackFixtures.callback(sid: sid, status: "queued"))
            return try await queue.record(report, receivedAt: Date(), answerBy: clock.now.advanced(by: timeout))
        }

        // At 0 s: the first batch holds the first callback; two more queue behind it, owed
        // an answer at 1 s and at 5 s.
        let firstRecording = Task { try await record(first, within: .seconds(1)) }
        #expect(try await eventually { committed.withLock { $0.count } == 1 })
        let overdueRecording = Task { try await record(overdue, within: .seconds(1)) }
        #expect(try await eventually { queue.waitingCallbacks == 1 })
        let dueRecording = Task { try await record(due, within: .seconds(5)) }
        #expect(try await eventually { queue.waitingCallbacks == 2 })

        // At 2 s the first batch commits: the next one takes both, and commits only the one
        // still waited for.
        manual.advance(by: .seconds(2))
        releaseFirstGroup.yield()
        #expect(try await firstRecording.value.record.sid == first)
        let refusal = await #expect(throws: StatusStoreError.self) { _ = try await overdueRecording.value }
        #expect(refusal?.description.contains("its deadline passed before its turn to commit came") == true)
        #expect(try await dueRecording.value.record.sid == due)
        #expect(committed.withLock { $0 } == [[first], [due]])
        #expect(queue.committedTransactions == 2)

        // A batch whose every callback is overdue is not handed to the store at all.
        let late = Task { try await record(CallbackFixtures.sid(0xC103), within: .zero) }
        await #expect(throws: StatusStoreError.self) { _ = try await late.value }
        #expect(committed.withLock { $0.count } == 2)
        #expect(queue.committedTransactions == 2)
    }
}
