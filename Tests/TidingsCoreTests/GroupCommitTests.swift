import Dispatch
import Synchronization
import Testing
@testable import TidingsCore

/// The group commit under both committers: what waits while a group commits goes in the
/// next group, in arrival order, each caller gets its own outcome, and a failed group
/// fails its callers only.
@Suite("GroupCommit: items that wait together commit together")
struct GroupCommitTests {
    /// Which committer the group commit runs its groups on.
    enum Committer: CaseIterable, Sendable, CustomTestStringConvertible {
        case task, serialQueue

        var testDescription: String { self == .task ? "async commit in a task" : "blocking commit on a serial queue" }
    }

    /// What a test's commit step saw and does: every group it was handed, the first held
    /// until the test lets it go, and groups holding a "failing" item thrown.
    final class Step: Sendable {
        struct Refused: Error, Equatable {
            let group: [Int]
        }

        private let groups = Mutex<[[Int]]>([])
        private let firstGroupGoes = DispatchSemaphore(value: 0)
        private let failing: Int?

        init(failing: Int? = nil) {
            self.failing = failing
        }

        var committedGroups: [[Int]] { groups.withLock { $0 } }

        /// Lets the first group's commit return.
        func releaseFirstGroup() {
            firstGroupGoes.signal()
        }

        /// Commits `group`: each item's outcome is ten times the item.
        @Sendable func commit(_ group: [Int]) throws -> [Int] {
            let isFirst = groups.withLock { groups in
                groups.append(group)
                return groups.count == 1
            }
            if isFirst {
                firstGroupGoes.wait()
            }
            if let failing, group.contains(failing) {
                throw Refused(group: group)
            }
            return group.map { $0 * 10 }
        }

        func groupCommit(_ committer: Committer, maximumBatchSize: Int) -> GroupCommit<Int, Int> {
            switch committer {
            case .task:
                // The first group waits on a dispatch queue of its own, not on a thread of the
                // pool that the callers' tasks run on.
                GroupCommit(maximumBatchSize: maximumBatchSize) { group in
                    try await withCheckedThrowingContinuation { continuation in
                        DispatchQueue.global().async { continuation.resume(with: Result { try self.commit(group) }) }
                    }
                }
            case .serialQueue:
                GroupCommit(maximumBatchSize: maximumBatchSize, label: "test.group-commit", blockingCommit: commit)
            }
        }
    }

    /// Commits item 0, and while its group is held queues `items` one after the other, each
    /// only once the one before is waiting; then lets the first group go and returns every
    /// caller's result, item 0's first.
    func commitWhileTheFirstGroupIsHeld(
        _ items: [Int], on groupCommit: GroupCommit<Int, Int>, step: Step
    ) async -> [Result<(Int, groupSize: Int), any Error>] {
        await withTaskGroup(of: (Int, Result<(Int, groupSize: Int), any Error>).self) { tasks in
            tasks.addTask { (0, await Result { try await groupCommit.commit(0) }) }
            while step.committedGroups.isEmpty { await Task.yield() }
            for (index, item) in items.enumerated() {
                tasks.addTask { (item, await Result { try await groupCommit.commit(item) }) }
                while groupCommit.waitingCount < index + 1 { await Task.yield() }
            }
            step.releaseFirstGroup()
            var results: [Int: Result<(Int, groupSize: Int), any Error>] = [:]
            for await (item, result) in tasks { results[item] = result }
            return ([0] + items).map { results[$0]! }
        }
    }

    @Test("what waits while a group commits goes in the next group, in arrival order, each with its own outcome",
          arguments: Committer.allCases)
    func waitingItemsCommitTogether(committer: Committer) async throws {
        let step = Step()
        let groupCommit = step.groupCommit(committer, maximumBatchSize: 256)

        let results = await commitWhileTheFirstGroupIsHeld([1, 2, 3, 4, 5], on: groupCommit, step: step)

        #expect(step.committedGroups == [[0], [1, 2, 3, 4, 5]])
        #expect(try results.map { try $0.get().0 } == [0, 10, 20, 30, 40, 50])
        #expect(try results.map { try $0.get().groupSize } == [1, 5, 5, 5, 5, 5])
        #expect(groupCommit.committedGroups == 2)
        #expect(groupCommit.waitingCount == 0)
    }

    @Test("a group holds at most maximumBatchSize items", arguments: Committer.allCases)
    func groupsAreBounded(committer: Committer) async throws {
        let step = Step()
        let groupCommit = step.groupCommit(committer, maximumBatchSize: 2)

        let results = await commitWhileTheFirstGroupIsHeld([1, 2, 3, 4, 5], on: groupCommit, step: step)

        #expect(step.committedGroups == [[0], [1, 2], [3, 4], [5]])
        #expect(try results.map { try $0.get().0 } == [0, 10, 20, 30, 40, 50])
        #expect(groupCommit.committedGroups == 4)
    }

    @Test("a group that fails fails its own callers only, and the next group still commits",
          arguments: Committer.allCases)
    func aFailedGroupFailsItsCallersOnly(committer: Committer) async throws {
        let step = Step(failing: 3)
        let groupCommit = step.groupCommit(committer, maximumBatchSize: 2)

        let results = await commitWhileTheFirstGroupIsHeld([1, 2, 3, 4, 5], on: groupCommit, step: step)

        #expect(step.committedGroups == [[0], [1, 2], [3, 4], [5]])
        for failed in results[3...4] {
            #expect(throws: Step.Refused(group: [3, 4])) { try failed.get() }
        }
        #expect(try [0, 1, 2, 5].map { try results[$0].get().0 } == [0, 10, 20, 50])
        #expect(groupCommit.committedGroups == 3, "a failed group is not counted as committed")
    }

    @Test("a lone item commits at once, and the group commit is idle again after it", arguments: Committer.allCases)
    func aLoneItemCommitsAtOnce(committer: Committer) async throws {
        let step = Step()
        step.releaseFirstGroup()
        let groupCommit = step.groupCommit(committer, maximumBatchSize: 256)

        #expect(try await groupCommit.commit(7) == (70, groupSize: 1))
        #expect(try await groupCommit.commit(8) == (80, groupSize: 1))
        #expect(step.committedGroups == [[7], [8]])
    }
}

extension Result where Failure == any Error {
    /// The result of `body`, thrown or returned.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
