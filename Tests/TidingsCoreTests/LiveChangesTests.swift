import Foundation
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// Live streams (`GET /v1/events`) take each commit's changes from memory, as the sinks do,
/// and read the outbox only to catch up.
@Suite("LiveChanges: live streams read commits from memory")
struct LiveChangesTests {
    let store = InMemoryStatusStore()
    let outbox: CountingOutbox

    init() {
        outbox = CountingOutbox(store)
    }

    /// Stores `count` callbacks, one message each, numbered from `first`.
    func record(_ count: Int, from first: Int) async throws {
        for number in first..<(first + count) {
            _ = try await store.record(
                try CallbackFixtures.callback(sid: CallbackFixtures.sid(number), status: "sent"),
                receivedAt: CallbackFixtures.time(0))
        }
    }

    @Test("a reader catches up from the outbox once, then takes each commit from memory")
    func commitsComeFromMemory() async throws {
        let live = LiveChanges()
        store.observeChanges { live.publish($0) }
        try await record(3, from: 1)
        try await live.withReader { reader in
            let first = try await reader.changes(after: 0, limit: 100, from: outbox)
            #expect(first.compactMap(\.seq) == [1, 2, 3])
            #expect(outbox.changeReads == 1, "what was stored before the reader opened comes from the outbox")

            try await record(2, from: 4)
            let next = try await reader.changes(after: 3, limit: 100, from: outbox)
            #expect(next.compactMap(\.seq) == [4, 5])
            #expect(try await reader.changes(after: 5, limit: 100, from: outbox).isEmpty)
            #expect(outbox.changeReads == 1, "commits came from memory")
        }
        #expect(live.readerCount == 0, "a reader is dropped when its stream ends")
    }

    @Test("changes only the outbox has — another instance's, too many to hold, a poll — are read from it")
    func gapsAreReadFromTheOutbox() async throws {
        // The store does not publish here: the test hands over what it wants.
        let live = LiveChanges(capacity: 4)
        try await live.withReader { reader in
            #expect(try await reader.changes(after: 0, limit: 100, from: outbox).isEmpty)
            #expect(outbox.changeReads == 1)

            // Another instance stored changes: the announcement carries none.
            try await record(2, from: 1)
            live.publish([])
            #expect(try await reader.changes(after: 0, limit: 100, from: outbox).compactMap(\.seq) == [1, 2])
            #expect(outbox.changeReads == 2)

            // More commits than the reader holds came while it was away.
            try await record(6, from: 3)
            for change in await store.changes(after: 2, limit: 100) { live.publish([change]) }
            #expect(try await reader.changes(after: 2, limit: 100, from: outbox).compactMap(\.seq) == Array(3...8))
            #expect(outbox.changeReads == 3)

            // Nothing new: memory says so without a read, until an idle stream polls.
            #expect(try await reader.changes(after: 8, limit: 100, from: outbox).isEmpty)
            #expect(outbox.changeReads == 3)
            reader.pollOutbox()
            #expect(try await reader.changes(after: 8, limit: 100, from: outbox).isEmpty)
            #expect(outbox.changeReads == 4)
        }
    }
}
