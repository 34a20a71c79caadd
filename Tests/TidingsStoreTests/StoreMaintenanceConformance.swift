import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// What every ``StatusStore`` must do for the server's periodic chores, written once and
/// run against every backend: marking messages stuck in flight as stale, with their
/// changes in the outbox, and deleting messages past the retention period.
@Suite("Store maintenance conformance")
struct StoreMaintenanceConformance {
    typealias Fixture = CallbackFixtures

    private let queuedLongAgo = Fixture.sid(1)
    private let sentLongAgo = Fixture.sid(2)
    private let deliveredLongAgo = Fixture.sid(3)
    private let sendingRecently = Fixture.sid(4)
    private let unknownLongAgo = Fixture.sid(5)
    private let sentAtCutoff = Fixture.sid(6)

    /// Six messages around a cutoff of `time(10)`: four in flight before it (one of them in
    /// a status Tidings does not know), one final before it, one in flight at the cutoff
    /// and one after it. Returns the changes recorded.
    private func recordMessagesAroundCutoff(in store: any StatusStore) async throws -> [StatusChange] {
        let callbacks: [(Int, StatusCallback)] = [
            (0, try Fixture.callback(sid: queuedLongAgo, status: "queued")),
            (1, try Fixture.callback(sid: sentLongAgo, status: "queued")),
            (2, try Fixture.callback(sid: deliveredLongAgo, status: "delivered")),
            (3, try Fixture.callback(sid: unknownLongAgo, status: "held_by_carrier")),
            (5, try Fixture.callback(sid: sentLongAgo, status: "sent")),
            (10, try Fixture.callback(sid: sentAtCutoff, status: "sent")),
            (20, try Fixture.callback(sid: sendingRecently, status: "sending")),
        ]
        var changes: [StatusChange] = []
        for (seconds, callback) in callbacks {
            let outcome = try await store.record(callback, receivedAt: Fixture.time(seconds))
            changes.append(try #require(outcome.change))
        }
        return changes
    }

    @Test("markStale marks only the messages in flight whose last change is before the cutoff", arguments: StoreKind.allCases)
    func markStale(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let recorded = try await recordMessagesAroundCutoff(in: store)
            let before = try await store.message(sid: sentLongAgo)

            let changes = try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(50))

            let bySid = Dictionary(uniqueKeysWithValues: changes.map { ($0.sid, $0) })
            #expect(Set(bySid.keys) == [queuedLongAgo, sentLongAgo, unknownLongAgo])
            let sent = try #require(bySid[sentLongAgo])
            #expect(sent.stale)
            #expect(!sent.applied)
            #expect(sent.status == .sent)
            #expect(sent.previousStatus == .sent)
            #expect(sent.reportedStatus == .sent)
            #expect(sent.receivedAt == Fixture.time(50))
            #expect(sent.to == Fixture.to)
            #expect(bySid[unknownLongAgo]?.status == .unknown("held_by_carrier"))
            #expect(changes.allSatisfy { $0.stale && !$0.applied && $0.receivedAt == Fixture.time(50) })
            #expect(Set(changes.map(\.id)).isDisjoint(with: recorded.map(\.id)))

            for sid in [queuedLongAgo, sentLongAgo, unknownLongAgo] {
                #expect(try await store.message(sid: sid)?.stale == true, "\(sid)")
            }
            for sid in [deliveredLongAgo, sentAtCutoff, sendingRecently] {
                #expect(try await store.message(sid: sid)?.stale == false, "\(sid)")
            }
            // Only the flag changed: the history and the time of the last change are kept.
            var expected = try #require(before)
            expected.stale = true
            #expect(try await store.message(sid: sentLongAgo) == expected)
        }
    }

    @Test("stale changes go to the outbox with the seqs after the existing ones", arguments: StoreKind.allCases)
    func staleChangesInOutbox(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let recorded = try await recordMessagesAroundCutoff(in: store)
            let latest = Int64(recorded.count)
            #expect(try await store.latestSeq() == latest)

            let changes = try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(50))

            #expect(changes.compactMap(\.seq).sorted() == [latest + 1, latest + 2, latest + 3])
            #expect(try await store.latestSeq() == latest + 3)
            #expect(try await store.changes(after: latest, limit: 10) == changes.sorted { $0.seq! < $1.seq! })
            #expect(try await store.changes(after: 0, limit: 100).prefix(recorded.count) == recorded[...])

            let next = try await store.record(
                try Fixture.callback(sid: sendingRecently, status: "sent"), receivedAt: Fixture.time(60))
            #expect(next.change?.seq == latest + 4)
        }
    }

    @Test("markStale is idempotent: a message is reported stale once", arguments: StoreKind.allCases)
    func markStaleTwice(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await recordMessagesAroundCutoff(in: store)
            let first = try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(50))
            let latest = try await store.latestSeq()

            #expect(first.count == 3)
            #expect(try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(51)).isEmpty)
            #expect(try await store.latestSeq() == latest)

            // A later cutoff finds only the messages not reported yet.
            let later = try await store.markStale(lastChangeBefore: Fixture.time(30), at: Fixture.time(52))
            #expect(Set(later.map(\.sid)) == [sentAtCutoff, sendingRecently])
            #expect(later.compactMap(\.seq).sorted() == [latest + 1, latest + 2])
        }
    }

    @Test("a later callback clears stale", arguments: StoreKind.allCases)
    func callbackClearsStale(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await recordMessagesAroundCutoff(in: store)
            _ = try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(50))
            #expect(try await store.stats(StatsQuery()).stale == 3)

            let outcome = try await store.record(
                try Fixture.callback(sid: queuedLongAgo, status: "sent"), receivedAt: Fixture.time(60))

            #expect(!outcome.record.stale)
            #expect(outcome.change?.stale == false)
            #expect(try await store.message(sid: queuedLongAgo)?.stale == false)
            var stale = MessageQuery()
            stale.stale = true
            #expect(Set(try await store.messages(matching: stale).messages.map(\.sid)) == [sentLongAgo, unknownLongAgo])
            #expect(try await store.stats(StatsQuery()).stale == 2)

            // Quiet again past a later cutoff, it is reported again.
            let again = try await store.markStale(lastChangeBefore: Fixture.time(70), at: Fixture.time(90))
            #expect(Set(again.map(\.sid)) == [queuedLongAgo, sentAtCutoff, sendingRecently])
        }
    }

    @Test("stale changes and concurrent callbacks share one contiguous numbering", arguments: StoreKind.allCases)
    func markStaleWithConcurrentCallbacks(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let quiet = (100..<150).map(Fixture.sid)
            for sid in quiet {
                _ = try await store.record(try Fixture.callback(sid: sid, status: "queued"), receivedAt: Fixture.time(0))
            }
            let callbacks = try (200..<250).map { try Fixture.callback(sid: Fixture.sid($0), status: "sent") }

            let returned = try await withThrowingTaskGroup(of: [StatusChange].self) { group in
                group.addTask {
                    try await store.markStale(lastChangeBefore: Fixture.time(10), at: Fixture.time(50))
                }
                for callback in callbacks {
                    group.addTask {
                        [try #require(try await store.record(callback, receivedAt: Fixture.time(100)).change)]
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }

            let total = quiet.count * 2 + callbacks.count
            #expect(returned.filter(\.stale).count == quiet.count)
            #expect(returned.compactMap(\.seq).sorted() == (Int64(quiet.count + 1)...Int64(total)).map { $0 })
            let stored = try await store.changes(after: 0, limit: 1000)
            #expect(stored.map(\.seq) == (1...Int64(total)).map { Optional($0) })
            #expect(Set(stored.dropFirst(quiet.count).map(\.id)) == Set(returned.map(\.id)))
        }
    }

    @Test("deleteMessages removes only the messages whose last change is before the cutoff", arguments: StoreKind.allCases)
    func deleteMessages(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let recorded = try await recordMessagesAroundCutoff(in: store)

            let deleted = try await store.deleteMessages(lastChangeBefore: Fixture.time(10))

            #expect(deleted == 4)
            for sid in [queuedLongAgo, sentLongAgo, deliveredLongAgo, unknownLongAgo] {
                #expect(try await store.message(sid: sid) == nil, "\(sid)")
            }
            for sid in [sentAtCutoff, sendingRecently] {
                #expect(try await store.message(sid: sid) != nil, "\(sid)")
            }
            #expect(try await store.messages(matching: MessageQuery()).messages.map(\.sid) == [sendingRecently, sentAtCutoff])
            #expect(try await store.stats(StatsQuery()).total == 2)
            #expect(try await store.changes(after: 0, limit: 100) == recorded)
            #expect(try await store.deleteMessages(lastChangeBefore: Fixture.time(10)) == 0)

            // A deleted message heard of again starts a new record.
            let outcome = try await store.record(
                try Fixture.callback(sid: sentLongAgo, status: "delivered"), receivedAt: Fixture.time(30))
            #expect(outcome.change?.previousStatus == nil)
            #expect(outcome.record.history.count == 1)
        }
    }
}
