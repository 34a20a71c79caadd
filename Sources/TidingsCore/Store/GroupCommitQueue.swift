import Foundation
import Logging
import Tracing
import TwilioWebhooks

/// Commits callbacks in groups: the batching half of every durable ``StatusStore``.
///
/// A commit that waits for the disk (SQLite with `synchronous=FULL`, PostgreSQL's
/// `fsync` of its write-ahead log) costs about the same for one callback as for a
/// hundred. Group commit (``GroupCommit``) shares it:
///
/// 1. A caller appends its callback to the waiting list and suspends.
/// 2. When no batch is being committed, the queue takes every callback waiting at that
///    moment (at most ``maximumBatchSize``), in arrival order, and hands them to the
///    store's commit step, which applies them in ONE transaction and commits it.
/// 3. Only after the commit step returns does the queue resume each caller with its own
///    outcome; if it throws, nothing of the batch was stored and every caller in it gets a
///    ``StatusStoreError`` (the HTTP layer answers 503 and Twilio retries).
/// 4. Callbacks that arrived meanwhile wait for the next batch.
///
/// A lone callback is committed at once — no timer, no waiting for a batch to fill — and
/// under load each batch holds what piled up during one commit. Batches are committed
/// only while there is work, by one of two committers:
///
/// - an `async` commit step (``init(storeName:maximumBatchSize:logger:commit:)``) runs in a
///   task the queue starts when a callback finds it idle;
/// - a blocking one (``init(storeName:maximumBatchSize:logger:blockingCommit:)``), for a
///   store whose commit holds a thread while the disk syncs (SQLite), runs on a serial
///   dispatch queue of the queue's own, and resumes the callers from there. A quiet server
///   then crosses one thread to commit a callback and one back, not three.
public final class GroupCommitQueue: Sendable {
    /// One report to store, when it arrived, and by when its caller must be answered.
    public struct Entry: Sendable {
        public let report: StatusReport
        public let receivedAt: Date
        /// When the store owes its caller an answer — stored, or a failure — on the queue's
        /// clock; nil when the store sets no deadline. An entry still waiting for a batch
        /// when it falls due is not committed: its caller gets a failure at once
        /// (`CommitAccounting`). A store that sets deadlines (PostgreSQL) gives a batch
        /// until its earliest entry's, so that a callback queued behind a batch that got
        /// stuck is not given a whole deadline again once that one fails.
        public let answerBy: ServiceClock.Instant?

        public init(report: StatusReport, receivedAt: Date, answerBy: ServiceClock.Instant? = nil) {
            self.report = report
            self.receivedAt = receivedAt
            self.answerBy = answerBy
        }
    }

    /// Applies a batch in one transaction and returns one outcome per entry, in order;
    /// throws when the transaction did not commit.
    public typealias Commit = @Sendable ([Entry]) async throws -> [RecordOutcome]

    /// ``Commit`` for a store whose commit blocks its thread until the transaction is durable.
    public typealias BlockingCommit = @Sendable ([Entry]) throws -> [RecordOutcome]

    private let groupCommit: GroupCommit<Entry, Result<RecordOutcome, StatusStoreError>>

    /// A queue whose batches `commit` applies in a task of their own.
    ///
    /// - Parameters:
    ///   - storeName: the store in words, for errors ("the PostgreSQL store").
    ///   - maximumBatchSize: the most callbacks per transaction.
    ///   - logger: where failed commits are reported (`CommitFailureLog`: the first in
    ///     full, then one line a minute at most, and a line when commits succeed again);
    ///     nil for silence.
    ///   - clock: what ``Entry/answerBy`` is on: a callback still waiting for a batch when
    ///     its answer falls due is not committed, and its caller gets a failure.
    ///   - commit: applies one batch in one transaction.
    public init(
        storeName: String, maximumBatchSize: Int = 256, logger: Logger? = nil, clock: ServiceClock = .continuous,
        commit: @escaping Commit
    ) {
        let accounting = CommitAccounting(
            storeName: storeName, failureLog: logger.map { CommitFailureLog(storeName: storeName, logger: $0) },
            clock: clock)
        groupCommit = GroupCommit(maximumBatchSize: maximumBatchSize) { entries in
            let triage = try accounting.triage(entries)
            do {
                return accounting.committed(try await commit(triage.due), of: triage)
            } catch {
                throw accounting.failed(error, of: triage)
            }
        }
    }

    /// A queue whose batches `blockingCommit` applies on a serial dispatch queue, for a store
    /// whose commit holds its thread until the disk has synced.
    ///
    /// - Parameters:
    ///   - storeName: the store in words, for errors ("the SQLite store").
    ///   - maximumBatchSize: the most callbacks per transaction.
    ///   - logger: where failed commits are reported (`CommitFailureLog`: the first in
    ///     full, then one line a minute at most, and a line when commits succeed again);
    ///     nil for silence.
    ///   - clock: what ``Entry/answerBy`` is on, as for the other initializer.
    ///   - blockingCommit: applies one batch in one transaction, and returns once it is durable.
    public init(
        storeName: String, maximumBatchSize: Int = 256, logger: Logger? = nil, clock: ServiceClock = .continuous,
        blockingCommit: @escaping BlockingCommit
    ) {
        let accounting = CommitAccounting(
            storeName: storeName, failureLog: logger.map { CommitFailureLog(storeName: storeName, logger: $0) },
            clock: clock)
        groupCommit = GroupCommit(maximumBatchSize: maximumBatchSize, label: "tidings.group-commit") { entries in
            let triage = try accounting.triage(entries)
            do {
                return accounting.committed(try blockingCommit(triage.due), of: triage)
            } catch {
                throw accounting.failed(error, of: triage)
            }
        }
    }

    /// The most callbacks committed in one transaction, so that one transaction stays short.
    public var maximumBatchSize: Int { groupCommit.maximumBatchSize }

    /// How many batches have committed: fewer than the callbacks they held whenever
    /// callbacks arrived together.
    public var committedTransactions: Int { groupCommit.committedGroups }

    /// How many callbacks wait for a batch to take them now (those of the batch being
    /// committed are not counted).
    public var waitingCallbacks: Int { groupCommit.waitingCount }

    /// Queues `report` and returns its outcome once the batch holding it has committed.
    ///
    /// - Parameter answerBy: when the caller must be answered, for a store that sets
    ///   deadlines (``Entry/answerBy``).
    /// - Throws: ``StatusStoreError`` when that batch did not commit, or `answerBy` passed
    ///   before a batch took the report; nothing of it was stored.
    public func record(
        _ report: StatusReport, receivedAt: Date, answerBy: ServiceClock.Instant? = nil
    ) async throws -> RecordOutcome {
        try await withSpan("store commit") { span in
            let (result, batchSize) = try await groupCommit.commit(
                Entry(report: report, receivedAt: receivedAt, answerBy: answerBy))
            let outcome = try result.get()
            // Only a recorded span: with tracing off, no attributes are built on this hot path.
            if span.isRecording {
                span.attributes[SpanAttributeName.messageSid] = report.messageSid
                span.attributes[SpanAttributeName.storeBatchSize] = batchSize
                span.attributes[SpanAttributeName.outcome] = outcome.change == nil ? "duplicate" : "recorded"
            }
            return outcome
        }
    }
}
