import Foundation
import Logging
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
///    store's `commit` closure, which applies them in ONE transaction and commits it.
/// 3. Only after `commit` returns does the queue resume each caller with its own outcome;
///    if it throws, nothing of the batch was stored and every caller in it gets a
///    ``StatusStoreError`` (the HTTP layer answers 503 and Twilio retries).
/// 4. Callbacks that arrived meanwhile wait for the next batch.
///
/// A lone callback is committed at once — no timer, no waiting for a batch to fill — and
/// under load each batch holds what piled up during one commit. The task that commits
/// batches runs only while there is work.
public actor GroupCommitQueue {
    /// One callback to store, and when it arrived.
    public struct Entry: Sendable {
        public let callback: StatusCallback
        public let receivedAt: Date

        public init(callback: StatusCallback, receivedAt: Date) {
            self.callback = callback
            self.receivedAt = receivedAt
        }
    }

    /// Applies a batch in one transaction and returns one outcome per entry, in order;
    /// throws when the transaction did not commit.
    public typealias Commit = @Sendable ([Entry]) async throws -> [RecordOutcome]

    private struct Job {
        let entry: Entry
        let continuation: CheckedContinuation<RecordOutcome, any Error>
    }

    /// The most callbacks committed in one transaction, so that one transaction stays short.
    public let maximumBatchSize: Int
    /// Names the store in the error every caller of a failed batch gets ("the SQLite store").
    private let storeName: String
    private let commit: Commit
    private let logger: Logger?
    private var waiting: [Job] = []
    private var isCommitting = false
    /// How many batches have committed: fewer than the callbacks they held whenever
    /// callbacks arrived together.
    public private(set) var committedTransactions = 0

    /// - Parameters:
    ///   - storeName: the store in words, for errors ("the PostgreSQL store").
    ///   - maximumBatchSize: the most callbacks per transaction.
    ///   - logger: where a failed commit is reported, once per batch; nil for silence.
    ///   - commit: applies one batch in one transaction.
    public init(storeName: String, maximumBatchSize: Int = 256, logger: Logger? = nil, commit: @escaping Commit) {
        precondition(maximumBatchSize > 0, "a batch holds at least one callback")
        self.storeName = storeName
        self.maximumBatchSize = maximumBatchSize
        self.logger = logger
        self.commit = commit
    }

    /// Queues `callback` and returns its outcome once the batch holding it has committed.
    ///
    /// - Throws: ``StatusStoreError`` when that batch did not commit; nothing of it was stored.
    public func record(_ callback: StatusCallback, receivedAt: Date) async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Job(entry: Entry(callback: callback, receivedAt: receivedAt), continuation: continuation))
            if !isCommitting {
                isCommitting = true
                Task { await commitWaitingBatches() }
            }
        }
    }

    private func commitWaitingBatches() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maximumBatchSize))
            waiting.removeFirst(batch.count)
            await commit(batch)
        }
        isCommitting = false
    }

    private func commit(_ batch: [Job]) async {
        do {
            let outcomes = try await commit(batch.map(\.entry))
            precondition(outcomes.count == batch.count, "a commit returns one outcome per callback")
            committedTransactions += 1
            for (job, outcome) in zip(batch, outcomes) {
                job.continuation.resume(returning: outcome)
            }
        } catch {
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
