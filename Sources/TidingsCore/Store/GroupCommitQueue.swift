import Dispatch
import Foundation
import Logging
import Synchronization
import Tracing
import TwilioWebhooks

/// Commits callbacks in groups: the batching half of every durable ``StatusStore``.
///
/// A commit that waits for the disk (SQLite with `synchronous=FULL`, PostgreSQL's
/// `fsync` of its write-ahead log) costs about the same for one callback as for a
/// hundred. Group commit shares it:
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
    /// One report to store, and when it arrived.
    public struct Entry: Sendable {
        public let report: StatusReport
        public let receivedAt: Date

        public init(report: StatusReport, receivedAt: Date) {
            self.report = report
            self.receivedAt = receivedAt
        }
    }

    /// Applies a batch in one transaction and returns one outcome per entry, in order;
    /// throws when the transaction did not commit.
    public typealias Commit = @Sendable ([Entry]) async throws -> [RecordOutcome]

    /// ``Commit`` for a store whose commit blocks its thread until the transaction is durable.
    public typealias BlockingCommit = @Sendable ([Entry]) throws -> [RecordOutcome]

    private enum Committer: Sendable {
        case task(Commit)
        case serialQueue(DispatchQueue, BlockingCommit)
    }

    private struct Job {
        let entry: Entry
        /// Resumed with the outcome and the size of the batch that committed it.
        let continuation: CheckedContinuation<(RecordOutcome, batchSize: Int), any Error>
    }

    private struct State {
        var waiting: [Job] = []
        var isCommitting = false
        var committedTransactions = 0
    }

    /// The most callbacks committed in one transaction, so that one transaction stays short.
    public let maximumBatchSize: Int
    /// Names the store in the error every caller of a failed batch gets ("the SQLite store").
    private let storeName: String
    private let committer: Committer
    private let logger: Logger?
    private let state = Mutex(State())

    /// A queue whose batches `commit` applies in a task of their own.
    ///
    /// - Parameters:
    ///   - storeName: the store in words, for errors ("the PostgreSQL store").
    ///   - maximumBatchSize: the most callbacks per transaction.
    ///   - logger: where a failed commit is reported, once per batch; nil for silence.
    ///   - commit: applies one batch in one transaction.
    public convenience init(
        storeName: String, maximumBatchSize: Int = 256, logger: Logger? = nil, commit: @escaping Commit
    ) {
        self.init(storeName: storeName, maximumBatchSize: maximumBatchSize, logger: logger, committer: .task(commit))
    }

    /// A queue whose batches `blockingCommit` applies on a serial dispatch queue, for a store
    /// whose commit holds its thread until the disk has synced.
    ///
    /// - Parameters:
    ///   - storeName: the store in words, for errors ("the SQLite store").
    ///   - maximumBatchSize: the most callbacks per transaction.
    ///   - logger: where a failed commit is reported, once per batch; nil for silence.
    ///   - blockingCommit: applies one batch in one transaction, and returns once it is durable.
    public convenience init(
        storeName: String, maximumBatchSize: Int = 256, logger: Logger? = nil,
        blockingCommit: @escaping BlockingCommit
    ) {
        let queue = DispatchQueue(label: "tidings.group-commit")
        self.init(
            storeName: storeName, maximumBatchSize: maximumBatchSize, logger: logger,
            committer: .serialQueue(queue, blockingCommit))
    }

    private init(storeName: String, maximumBatchSize: Int, logger: Logger?, committer: Committer) {
        precondition(maximumBatchSize > 0, "a batch holds at least one callback")
        self.storeName = storeName
        self.maximumBatchSize = maximumBatchSize
        self.logger = logger
        self.committer = committer
    }

    /// How many batches have committed: fewer than the callbacks they held whenever
    /// callbacks arrived together.
    public var committedTransactions: Int {
        state.withLock { $0.committedTransactions }
    }

    /// Queues `report` and returns its outcome once the batch holding it has committed.
    ///
    /// - Throws: ``StatusStoreError`` when that batch did not commit; nothing of it was stored.
    public func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome {
        try await withSpan("store commit") { span in
            let (outcome, batchSize) = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<(RecordOutcome, batchSize: Int), any Error>) in
                let job = Job(entry: Entry(report: report, receivedAt: receivedAt), continuation: continuation)
                let mustStart = state.withLock { state in
                    state.waiting.append(job)
                    guard !state.isCommitting else { return false }
                    state.isCommitting = true
                    return true
                }
                if mustStart {
                    startCommitting()
                }
            }
            // Only a recorded span: with tracing off, no attributes are built on this hot path.
            if span.isRecording {
                span.attributes[SpanAttributeName.messageSid] = report.messageSid
                span.attributes[SpanAttributeName.storeBatchSize] = batchSize
                span.attributes[SpanAttributeName.outcome] = outcome.change == nil ? "duplicate" : "recorded"
            }
            return outcome
        }
    }

    /// Commits batches until no callback waits.
    private func startCommitting() {
        switch committer {
        case .task(let commit):
            Task {
                while let batch = nextBatch() {
                    let outcomes: Result<[RecordOutcome], any Error>
                    do {
                        outcomes = .success(try await commit(batch.map(\.entry)))
                    } catch {
                        outcomes = .failure(error)
                    }
                    finish(batch, outcomes)
                }
            }
        case .serialQueue(let queue, let commit):
            queue.async {
                while let batch = self.nextBatch() {
                    self.finish(batch, Result { try commit(batch.map(\.entry)) })
                }
            }
        }
    }

    /// The callbacks waiting now, at most ``maximumBatchSize`` of them; nil, and the queue
    /// idle, when none wait.
    private func nextBatch() -> [Job]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.isCommitting = false
                return nil
            }
            let batch = Array(state.waiting.prefix(maximumBatchSize))
            state.waiting.removeFirst(batch.count)
            return batch
        }
    }

    /// Resumes every caller of `batch` with its outcome, or with the commit's failure.
    private func finish(_ batch: [Job], _ outcomes: Result<[RecordOutcome], any Error>) {
        switch outcomes {
        case .success(let outcomes):
            precondition(outcomes.count == batch.count, "a commit returns one outcome per callback")
            state.withLock { $0.committedTransactions += 1 }
            for (job, outcome) in zip(batch, outcomes) {
                job.continuation.resume(returning: (outcome, batchSize: batch.count))
            }
        case .failure(let error):
            logger?.error(
                "\(storeName) could not commit callbacks; they were not stored and will be refused",
                metadata: ["callbacks": "\(batch.count)", "error": "\(error)"])
            let failure = error as? StatusStoreError ?? StatusStoreError(
                "\(storeName) could not commit this callback (\(error)); nothing was stored", underlying: error)
            for job in batch {
                job.continuation.resume(throwing: failure)
            }
        }
    }
}
