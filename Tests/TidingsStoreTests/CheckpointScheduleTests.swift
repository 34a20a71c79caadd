import Testing
@testable import TidingsSQLite

/// When the SQLite store's log is copied into the database file, and by whom
/// (`CheckpointSchedule`), one commit at a time: a checkpoint every few new pages, the
/// writer's copy of the rest only once the log is long.
@Suite("CheckpointSchedule")
struct CheckpointScheduleTests {
    /// A checkpoint from 8 pages not yet copied; the log starts again from 64.
    private func schedule() -> CheckpointSchedule {
        CheckpointSchedule(checkpointPages: 8, restartPages: 64)
    }

    @Test("a checkpoint starts once enough pages are not yet copied, and not while one runs")
    func checkpointStartsAtItsThreshold() {
        var schedule = schedule()
        #expect(schedule.writerCommitted(logPages: 7) == .none)
        #expect(schedule.writerCommitted(logPages: 8) == .startCheckpoint)
        #expect(schedule.isRunning)
        #expect(schedule.writerCommitted(logPages: 30) == .none)
    }

    @Test("after a checkpoint only the pages appended since count toward the next")
    func onlyNewPagesCount() {
        var schedule = schedule()
        _ = schedule.writerCommitted(logPages: 10)
        schedule.checkpointFinished(copiedPages: 10)
        #expect(schedule.writerCommitted(logPages: 17) == .none)
        #expect(schedule.writerCommitted(logPages: 18) == .startCheckpoint)
    }

    @Test("the writer copies the rest once the log is long and a checkpoint has finished")
    func writerCopiesTheRestOfALongLog() {
        var schedule = schedule()
        _ = schedule.writerCommitted(logPages: 56)
        schedule.checkpointFinished(copiedPages: 56)
        #expect(schedule.writerCommitted(logPages: 63) == .none)
        #expect(schedule.writerCommitted(logPages: 64) == .copyRest)
        // The log started again: counting starts from its beginning.
        #expect(schedule.writerCommitted(logPages: 7) == .none)
        #expect(schedule.writerCommitted(logPages: 8) == .startCheckpoint)
    }

    @Test("a long log waits for the running checkpoint before the writer copies the rest")
    func longLogWaitsForTheRunningCheckpoint() {
        var schedule = schedule()
        #expect(schedule.writerCommitted(logPages: 60) == .startCheckpoint)
        #expect(schedule.writerCommitted(logPages: 70) == .none)
        #expect(schedule.writerCommitted(logPages: 90) == .none)
        schedule.checkpointFinished(copiedPages: 60)
        #expect(schedule.writerCommitted(logPages: 95) == .copyRest)
        #expect(!schedule.hasFinished)
    }

    @Test("a failed checkpoint is tried again at the next commit past the threshold")
    func failedCheckpointIsTriedAgain() {
        var schedule = schedule()
        _ = schedule.writerCommitted(logPages: 8)
        schedule.checkpointFinished(copiedPages: nil)
        #expect(schedule.copiedPages == 0)
        #expect(schedule.writerCommitted(logPages: 9) == .startCheckpoint)
    }

    @Test("a log another process started again is counted from its beginning")
    func logStartedElsewhere() {
        var schedule = schedule()
        _ = schedule.writerCommitted(logPages: 40)
        schedule.checkpointFinished(copiedPages: 40)
        #expect(schedule.writerCommitted(logPages: 5) == .none)
        #expect(schedule.copiedPages == 0)
        #expect(schedule.writerCommitted(logPages: 8) == .startCheckpoint)
    }

    @Test("the store's schedule starts the log again at 4,000 pages, as the README says")
    func standardScheduleRestartsAtSixteenMegabytes() {
        var schedule = CheckpointSchedule.standard
        #expect(schedule.writerCommitted(logPages: 250) == .startCheckpoint)
        schedule.checkpointFinished(copiedPages: 250)
        #expect(schedule.writerCommitted(logPages: 3_999) == .startCheckpoint)
        schedule.checkpointFinished(copiedPages: 3_999)
        #expect(schedule.writerCommitted(logPages: 3_999) == .none)
        #expect(schedule.writerCommitted(logPages: 4_000) == .copyRest)
    }

    @Test("the log starts again no sooner than a checkpoint would start")
    func restartIsAtLeastTheCheckpointThreshold() {
        let schedule = CheckpointSchedule(checkpointPages: 8, restartPages: 2)
        #expect(schedule.restartPages == 8)
    }
}
