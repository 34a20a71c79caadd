import Dispatch
import Synchronization

/// Group commit, the mechanism: callers hand an item over and wait; whenever no group is
/// being committed, every item waiting (at most ``maximumBatchSize``, in arrival order) is
/// committed with one call of the commit step, and only then are their callers resumed,
/// each with its own outcome.
///
/// A lone item is committed at once — no timer, no waiting for a group to fill — and under
/// load each group holds what piled up during one commit. Groups are committed only while
/// there is work, by one of two committers:
///
/// - an `async` commit step (``init(maximumBatchSize:commit:)``) runs in a task started
///   when an item finds the group commit idle;
/// - a blocking one (``init(maximumBatchSize:label:blockingCommit:)``), for a commit that
///   holds its thread while the disk syncs, runs on a serial dispatch queue of its own and
///   resumes the callers from there, so that a quiet caller crosses one thread to commit
///   and one back.
///
/// ``GroupCommitQueue`` is the stores' use of it, for status reports; the load benchmark's
/// durable floor (`bench/floor`) stores request bodies with it.
public final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    /// Commits a group and returns one outcome per item, in order; throws when nothing of
    /// the group was committed.
    public typealias Commit = @Sendable ([Item]) async throws -> [Outcome]

    /// ``Commit`` for a step that blocks its thread until the group is durable.
    public typealias BlockingCommit = @Sendable ([Item]) throws -> [Outcome]

    private enum Committer: Sendable {
        case task(Commit)
        case serialQueue(DispatchQueue, BlockingCommit)
    }

    private struct Waiter {
        let item: Item
        /// Resumed with the outcome and the size of the group that committed it.
        let continuation: CheckedContinuation<(Outcome, groupSize: Int), any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var isCommitting = false
        var committedGroups = 0
    }

    /// The most items committed in one group, so that one commit stays short.
    public let maximumBatchSize: Int
    private let committer: Committer
    private let state = Mutex(State())

    /// A group commit whose groups `commit` commits in a task of their own.
    ///
    /// - Parameters:
    ///   - maximumBatchSize: the most items in one group.
    ///   - commit: commits one group.
    public convenience init(maximumBatchSize: Int, commit: @escaping Commit) {
        self.init(maximumBatchSize: maximumBatchSize, committer: .task(commit))
    }

    /// A group commit whose groups `blockingCommit` commits on a serial dispatch queue, for
    /// a step that holds its thread until the disk has synced.
    ///
    /// - Parameters:
    ///   - maximumBatchSize: the most items in one group.
    ///   - label: names the dispatch queue (in a debugger, a profile).
    ///   - blockingCommit: commits one group, and returns once it is durable.
    public convenience init(maximumBatchSize: Int, label: String, blockingCommit: @escaping BlockingCommit) {
        self.init(
            maximumBatchSize: maximumBatchSize, committer: .serialQueue(DispatchQueue(label: label), blockingCommit))
    }

    private init(maximumBatchSize: Int, committer: Committer) {
        precondition(maximumBatchSize > 0, "a group holds at least one item")
        self.maximumBatchSize = maximumBatchSize
        self.committer = committer
    }

    /// How many groups have committed: fewer than the items they held whenever items
    /// arrived together.
    public var committedGroups: Int {
        state.withLock { $0.committedGroups }
    }

    /// How many items wait for a group (tests, to know that a caller has queued).
    var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// Queues `item` and returns its outcome, with the size of its group, once the group
    /// holding it has committed.
    ///
    /// - Throws: what the commit step threw for that group; nothing of it was committed.
    public func commit(_ item: Item) async throws -> (Outcome, groupSize: Int) {
        try await withCheckedThrowingContinuation { continuation in
            let mustStart = state.withLock { state in
                state.waiting.append(Waiter(item: item, continuation: continuation))
                guard !state.isCommitting else { return false }
                state.isCommitting = true
                return true
            }
            if mustStart {
                startCommitting()
            }
        }
    }

    /// Commits groups until no item waits.
    private func startCommitting() {
        switch committer {
        case .task(let commit):
            Task {
                while let group = nextGroup() {
                    let outcomes: Result<[Outcome], any Error>
                    do {
                        outcomes = .success(try await commit(group.map(\.item)))
                    } catch {
                        outcomes = .failure(error)
                    }
                    finish(group, outcomes)
                }
            }
        case .serialQueue(let queue, let commit):
            queue.async {
                while let group = self.nextGroup() {
                    self.finish(group, Result { try commit(group.map(\.item)) })
                }
            }
        }
    }

    /// The items waiting now, at most ``maximumBatchSize`` of them; nil, and the group
    /// commit idle, when none wait.
    private func nextGroup() -> [Waiter]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.isCommitting = false
                return nil
            }
            let group = Array(state.waiting.prefix(maximumBatchSize))
            state.waiting.removeFirst(group.count)
            return group
        }
    }

    /// Resumes every caller of `group` with its outcome, or with the commit's failure.
    private func finish(_ group: [Waiter], _ outcomes: Result<[Outcome], any Error>) {
        switch outcomes {
        case .success(let outcomes):
            precondition(outcomes.count == group.count, "a commit returns one outcome per item")
            state.withLock { $0.committedGroups += 1 }
            for (waiter, outcome) in zip(group, outcomes) {
                waiter.continuation.resume(returning: (outcome, groupSize: group.count))
            }
        case .failure(let error):
            for waiter in group {
                waiter.continuation.resume(throwing: error)
            }
        }
    }
}
