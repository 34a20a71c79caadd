import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// What every ``StatusStore`` must do as a ``ChangeOutbox``, written once and run against
/// every backend: numbering changes, paging them, sink cursors, pruning and dead letters.
@Suite("ChangeOutbox conformance")
struct ChangeOutboxConformance {
    typealias Fixture = CallbackFixtures

    /// `count` distinct callbacks (at most 60) spread over three messages, in the order
    /// they are to be recorded: each one is a change, none a duplicate.
    private func distinctCallbacks(_ count: Int) throws -> [StatusCallback] {
        try (0..<count).map { index in
            try Fixture.callback(
                sid: Fixture.sid(300 + index % 3), status: "sent",
                rawDlrDoneDate: "26112319" + String(format: "%02d", index))
        }
    }

    /// Every change the outbox holds, in `seq` order.
    private func allChanges(in store: any StatusStore) async throws -> [StatusChange] {
        try await store.changes(after: 0, limit: .max)
    }

    @Test("seqs start at 1 and increase by one across callbacks and messages", arguments: StoreKind.allCases)
    func seqsIncrease(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.latestSeq() == 0)
            #expect(try await allChanges(in: store).isEmpty)

            let changes = try await store.recordChanges(try distinctCallbacks(9))

            #expect(changes.map(\.seq) == (1...9).map { Optional(Int64($0)) })
            #expect(Set(changes.map(\.sid)).count == 3)
            #expect(try await store.latestSeq() == 9)
        }
    }

    @Test("the outbox holds each change as it was returned, seq included", arguments: StoreKind.allCases)
    func storedChangeIsReturnedChange(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(310)
            let changes = try await store.recordChanges(
                [
                    try Fixture.callback(sid: sid, status: "queued", to: "whatsapp:+15558675310"),
                    try Fixture.callback(sid: sid, status: "delivered", to: "whatsapp:+15558675310"),
                    try Fixture.callback(sid: sid, status: "sent", to: "whatsapp:+15558675310"),
                    try Fixture.callback(
                        sid: sid, status: "undelivered", errorCode: 63016, to: "whatsapp:+15558675310"),
                ])

            #expect(try await allChanges(in: store) == changes)
            #expect(changes.map(\.applied) == [true, true, false, false])
            #expect(changes.last?.conflict == true)
            #expect(Set(changes.map(\.id)).count == changes.count)
        }
    }

    @Test("a duplicate adds nothing to the outbox", arguments: StoreKind.allCases)
    func duplicateAddsNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let callback = try Fixture.callback(sid: Fixture.sid(320), status: "sent")
            let first = try await store.record(callback, receivedAt: Fixture.time(0))
            let repeated = try await store.record(callback, receivedAt: Fixture.time(1))

            #expect(first.change?.seq == 1)
            #expect(repeated.change == nil)
            #expect(try await store.latestSeq() == 1)
            #expect(try await allChanges(in: store).map(\.seq) == [1])

            let next = try await store.record(
                try Fixture.callback(sid: Fixture.sid(320), status: "delivered"), receivedAt: Fixture.time(2))
            #expect(next.change?.seq == 2)
        }
    }

    @Test("changes(after:limit:) pages through the outbox in seq order", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let changes = try await store.recordChanges(try distinctCallbacks(10))

            var paged: [StatusChange] = []
            var cursor: Int64 = 0
            while true {
                let page = try await store.changes(after: cursor, limit: 3)
                guard let last = page.last else { break }
                #expect(page.count <= 3)
                paged += page
                cursor = try #require(last.seq)
            }

            #expect(paged == changes)
            #expect(try await store.changes(after: 4, limit: 2).map(\.seq) == [5, 6])
            #expect(try await store.changes(after: 8, limit: 5).map(\.seq) == [9, 10])
            #expect(try await store.changes(after: 10, limit: 5).isEmpty)
        }
    }

    @Test("a new sink starts at the latest seq and keeps its cursor when registered again", arguments: StoreKind.allCases)
    func registerSink(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.cursor(of: "webhook") == 0)
            #expect(try await store.registerSink("early") == 0)

            _ = try await store.recordChanges(try distinctCallbacks(4))
            #expect(try await store.registerSink("webhook") == 4)
            #expect(try await store.cursor(of: "webhook") == 4)
            #expect(try await store.cursor(of: "early") == 0)

            _ = try await store.record(
                try Fixture.callback(sid: Fixture.sid(330), status: "sent"), receivedAt: Fixture.time(9))
            #expect(try await store.registerSink("webhook") == 4)
            #expect(try await store.registerSink("early") == 0)
            #expect(try await store.registerSink("late") == 5)
        }
    }

    @Test("advanceCursor never moves a cursor back; resetCursor does", arguments: StoreKind.allCases)
    func cursors(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.recordChanges(try distinctCallbacks(6))
            try await store.registerSink("log")

            try await store.resetCursor(of: "log", to: 2)
            #expect(try await store.cursor(of: "log") == 2)
            try await store.advanceCursor(of: "log", to: 5)
            #expect(try await store.cursor(of: "log") == 5)
            try await store.advanceCursor(of: "log", to: 3)
            #expect(try await store.cursor(of: "log") == 5)
            try await store.resetCursor(of: "log", to: 1)
            #expect(try await store.cursor(of: "log") == 1)

            try await store.advanceCursor(of: "unregistered", to: 3)
            #expect(try await store.cursor(of: "unregistered") == 3)
            #expect(try await store.cursor(of: "log") == 1)
        }
    }

    @Test("pruning removes the changes up to a seq and nothing after it", arguments: StoreKind.allCases)
    func prune(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let changes = try await store.recordChanges(try distinctCallbacks(8))

            #expect(try await store.pruneChanges(through: 3) == 3)
            #expect(try await allChanges(in: store) == Array(changes.dropFirst(3)))
            #expect(try await store.pruneChanges(through: 3) == 0)
            #expect(try await store.pruneChanges(through: 0) == 0)
            #expect(try await store.pruneChanges(through: 7) == 4)
            #expect(try await allChanges(in: store).map(\.seq) == [8])
            #expect(try await store.latestSeq() == 8)
        }
    }

    @Test("the latest seq survives pruning everything, and seqs are never reused", arguments: StoreKind.allCases)
    func latestSeqSurvivesPruning(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.recordChanges(try distinctCallbacks(5))

            #expect(try await store.pruneChanges(through: 5) == 5)
            #expect(try await allChanges(in: store).isEmpty)
            #expect(try await store.latestSeq() == 5)
            #expect(try await store.registerSink("new") == 5)

            let outcome = try await store.record(
                try Fixture.callback(sid: Fixture.sid(340), status: "sent"), receivedAt: Fixture.time(10))
            #expect(outcome.change?.seq == 6)
            #expect(try await allChanges(in: store).map(\.seq) == [6])
            #expect(try await store.latestSeq() == 6)
        }
    }

    @Test("dead letters round-trip, oldest first, and are removed by change id", arguments: StoreKind.allCases)
    func deadLetters(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let changes = try await store.recordChanges(try distinctCallbacks(5))
            #expect(try await store.deadLetters(of: "webhook", limit: 10).isEmpty)
            #expect(try await store.deadLetterCount(of: "webhook") == 0)

            try await store.addDeadLetters(
                [changes[2], changes[3]], sink: "webhook", reason: "HTTP 500", at: Fixture.time(20))
            try await store.addDeadLetters([changes[0]], sink: "webhook", reason: "timed out", at: Fixture.time(30))
            try await store.addDeadLetters([changes[4]], sink: "queue", reason: "refused", at: Fixture.time(25))

            let expected = [
                DeadLetter(change: changes[2], reason: "HTTP 500", failedAt: Fixture.time(20)),
                DeadLetter(change: changes[3], reason: "HTTP 500", failedAt: Fixture.time(20)),
                DeadLetter(change: changes[0], reason: "timed out", failedAt: Fixture.time(30)),
            ]
            #expect(try await store.deadLetters(of: "webhook", limit: 10) == expected)
            #expect(try await store.deadLetters(of: "webhook", limit: 2) == Array(expected.prefix(2)))
            #expect(try await store.deadLetterCount(of: "webhook") == 3)
            #expect(
                try await store.deadLetters(of: "queue", limit: 10)
                    == [DeadLetter(change: changes[4], reason: "refused", failedAt: Fixture.time(25))])

            try await store.removeDeadLetters(of: "webhook", ids: [changes[2].id, changes[0].id, "unknown"])
            #expect(try await store.deadLetters(of: "webhook", limit: 10) == [expected[1]])
            #expect(try await store.deadLetterCount(of: "webhook") == 1)
            #expect(try await store.deadLetterCount(of: "queue") == 1)
        }
    }

    @Test("dead letters are not pruned with the outbox", arguments: StoreKind.allCases)
    func deadLettersOutlivePruning(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let changes = try await store.recordChanges(try distinctCallbacks(2))
            try await store.addDeadLetters(changes, sink: "webhook", reason: "HTTP 503", at: Fixture.time(5))

            #expect(try await store.pruneChanges(through: 2) == 2)
            #expect(try await store.deadLetters(of: "webhook", limit: 10).map(\.change) == changes)
        }
    }

    @Test("200 concurrent callbacks get 200 outbox rows with contiguous seqs", arguments: StoreKind.allCases)
    func concurrentSeqs(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let count = 200
            let callbacks = try (0..<count).map { try Fixture.callback(sid: Fixture.sid(400 + $0), status: "sent") }

            let returned = try await withThrowingTaskGroup(of: StatusChange?.self) { group in
                for (index, callback) in callbacks.enumerated() {
                    group.addTask { try await store.record(callback, receivedAt: Fixture.time(index)).change }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let stored = try await allChanges(in: store)
            let expectedSeqs = (1...Int64(count)).map { Optional($0) }
            #expect(stored.count == count)
            #expect(stored.map(\.seq) == expectedSeqs)
            #expect(returned.compactMap { $0?.seq }.sorted() == (1...Int64(count)).map { $0 })
            #expect(Dictionary(uniqueKeysWithValues: returned.compactMap { $0 }.map { ($0.id, $0) })
                == Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) }))
            #expect(try await store.latestSeq() == Int64(count))
        }
    }
}
