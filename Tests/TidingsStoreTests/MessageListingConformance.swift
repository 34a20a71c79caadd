import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// What every ``StatusStore`` must do when listing messages (`GET /v1/messages`), written
/// once and run against every backend: each filter, the order, and keyset paging.
@Suite("Message listing conformance")
struct MessageListingConformance {
    typealias Fixture = CallbackFixtures
    typealias Catalogue = MessageCatalogue

    /// A query with `configure` applied and a limit large enough for one page.
    private func query(_ configure: (inout MessageQuery) -> Void = { _ in }) -> MessageQuery {
        var query = MessageQuery()
        query.limit = 1000
        configure(&query)
        return query
    }

    /// The SIDs of the one page `query` lists (which must be the last).
    private func sids(
        _ query: MessageQuery, in store: any StatusStore, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String] {
        let page = try await store.messages(matching: query)
        #expect(page.nextCursor == nil, sourceLocation: sourceLocation)
        return page.messages.map(\.sid)
    }

    /// Records one `sent` callback for each of `sids`, at the matching time.
    private func recordSent(_ sids: [String], at times: [Date], in store: any StatusStore) async throws {
        for (sid, time) in zip(sids, times) {
            _ = try await store.record(try Fixture.callback(sid: sid, status: "sent"), receivedAt: time)
        }
    }

    @Test("without filters every message is listed, newest change first", arguments: StoreKind.allCases)
    func everything(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            let page = try await store.messages(matching: query())
            #expect(page.messages.map(\.sid) == Catalogue.newestFirst)
            for record in page.messages {
                #expect(try await store.message(sid: record.sid) == record)
            }
        }
    }

    @Test("the status filter keeps the messages in any of the statuses", arguments: StoreKind.allCases)
    func statusFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.statuses = ["undelivered"] }, in: store)
                    == [Catalogue.lateUndelivered, Catalogue.undelivered])
            #expect(
                try await sids(query { $0.statuses = ["undelivered", "failed"] }, in: store)
                    == [Catalogue.lateUndelivered, Catalogue.failedOnRCS, Catalogue.undelivered])
            #expect(
                try await sids(query { $0.statuses = ["delivered"] }, in: store)
                    == [Catalogue.conflicting, Catalogue.delivered])
            #expect(try await sids(query { $0.statuses = ["read"] }, in: store).isEmpty)
        }
    }

    @Test("the error code filter matches the current status's error code", arguments: StoreKind.allCases)
    func errorCodeFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.errorCode = 30003 }, in: store)
                    == [Catalogue.lateUndelivered, Catalogue.undelivered])
            #expect(try await sids(query { $0.errorCode = 30008 }, in: store) == [Catalogue.failedOnRCS])
            // 63016 came with a conflicting `failed` that did not move the status.
            #expect(try await sids(query { $0.errorCode = 63016 }, in: store).isEmpty)
        }
    }

    @Test("the channel filter matches the channel's name", arguments: StoreKind.allCases)
    func channelFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.channel = "whatsapp" }, in: store)
                    == [Catalogue.conflicting, Catalogue.sentOnWhatsApp])
            #expect(try await sids(query { $0.channel = "rcs" }, in: store) == [Catalogue.failedOnRCS])
            #expect(
                try await sids(query { $0.channel = "sms" }, in: store)
                    == [Catalogue.lateUndelivered, Catalogue.sending, Catalogue.undelivered,
                        Catalogue.delivered, Catalogue.quiet])
            #expect(try await sids(query { $0.channel = "messenger" }, in: store).isEmpty)
        }
    }

    @Test("the recipient filter matches the address exactly as stored", arguments: StoreKind.allCases)
    func recipientFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.to = Catalogue.firstRecipient }, in: store)
                    == [Catalogue.delivered, Catalogue.quiet])
            #expect(
                try await sids(query { $0.to = "whatsapp:+15550000003" }, in: store) == [Catalogue.sentOnWhatsApp])
            #expect(try await sids(query { $0.to = "+15550000003" }, in: store).isEmpty)
        }
    }

    @Test("since includes its instant and until excludes its own", arguments: StoreKind.allCases)
    func timeWindow(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.since = Fixture.time(12) }, in: store)
                    == Array(Catalogue.newestFirst.prefix(5)))
            #expect(
                try await sids(query { $0.until = Fixture.time(12) }, in: store)
                    == [Catalogue.undelivered, Catalogue.delivered, Catalogue.quiet])
            #expect(
                try await sids(query { $0.since = Fixture.time(11); $0.until = Fixture.time(14) }, in: store)
                    == [Catalogue.conflicting, Catalogue.sentOnWhatsApp, Catalogue.undelivered])
            #expect(try await sids(query { $0.since = Fixture.time(16) }, in: store).isEmpty)
        }
    }

    @Test("the time window is exact to the millisecond, also between milliseconds", arguments: StoreKind.allCases)
    func timeWindowMilliseconds(kind: StoreKind) async throws {
        try await kind.withStore { store in
            /// `time(0)` plus `milliseconds`, a time as stored.
            func stored(_ milliseconds: Int) -> Date {
                JSONCoding.wholeMilliseconds(Fixture.time(0).addingTimeInterval(TimeInterval(milliseconds) / 1000))
            }
            /// `time(0)` plus `seconds`, between two milliseconds.
            func between(_ seconds: TimeInterval) -> Date { Fixture.time(0).addingTimeInterval(seconds) }
            let sid = Fixture.sid(20)
            try await recordSent([sid], at: [stored(123)], in: store)

            let admitted: [(since: Date?, until: Date?)] = [
                (stored(123), nil), (between(0.1225), nil), (between(0.12299), nil),
                (nil, stored(124)), (nil, between(0.12301)), (stored(123), between(0.12301)),
            ]
            let refused: [(since: Date?, until: Date?)] = [
                (between(0.12301), nil), (between(0.1235), nil), (stored(124), nil),
                (nil, stored(123)), (nil, between(0.12299)), (nil, between(0.1225)),
            ]
            for (window, expected) in admitted.map({ ($0, [sid]) }) + refused.map({ ($0, [String]()) }) {
                let listed = try await sids(query { $0.since = window.since; $0.until = window.until }, in: store)
                #expect(
                    listed == expected,
                    """
                    since \(String(describing: window.since?.timeIntervalSince1970)), \
                    until \(String(describing: window.until?.timeIntervalSince1970))
                    """)
            }
        }
    }

    @Test("the final filter tells settled messages from those in flight", arguments: StoreKind.allCases)
    func finalFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(query { $0.isFinal = true }, in: store)
                    == [Catalogue.lateUndelivered, Catalogue.failedOnRCS, Catalogue.conflicting,
                        Catalogue.undelivered, Catalogue.delivered])
            #expect(
                try await sids(query { $0.isFinal = false }, in: store)
                    == [Catalogue.sending, Catalogue.sentOnWhatsApp, Catalogue.quiet])
        }
    }

    @Test("the conflict filter", arguments: StoreKind.allCases)
    func conflictFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(try await sids(query { $0.conflict = true }, in: store) == [Catalogue.conflicting])
            #expect(
                try await sids(query { $0.conflict = false }, in: store)
                    == Catalogue.newestFirst.filter { $0 != Catalogue.conflicting })
        }
    }

    @Test("the stale filter", arguments: StoreKind.allCases)
    func staleFilter(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(try await sids(query { $0.stale = true }, in: store) == [Catalogue.quiet])
            #expect(
                try await sids(query { $0.stale = false }, in: store)
                    == Catalogue.newestFirst.filter { $0 != Catalogue.quiet })
        }
    }

    @Test("filters combine: every one given must hold", arguments: StoreKind.allCases)
    func combinedFilters(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(
                try await sids(
                    query {
                        $0.statuses = ["queued", "sending", "undelivered"]
                        $0.channel = "sms"
                        $0.since = Fixture.time(5)
                        $0.until = Fixture.time(15)
                    }, in: store)
                    == [Catalogue.undelivered, Catalogue.quiet])
            #expect(
                try await sids(query { $0.channel = "sms"; $0.isFinal = false; $0.stale = false }, in: store)
                    == [Catalogue.sending])
            #expect(
                try await sids(query { $0.to = Catalogue.firstRecipient; $0.isFinal = true }, in: store)
                    == [Catalogue.delivered])
            #expect(
                try await sids(query { $0.errorCode = 30003; $0.since = Fixture.time(12) }, in: store)
                    == [Catalogue.lateUndelivered])
            #expect(try await sids(query { $0.conflict = true; $0.channel = "sms" }, in: store).isEmpty)
        }
    }

    @Test("a message's last change orders it, and SID breaks ties", arguments: StoreKind.allCases)
    func order(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sids = (30..<36).map(Fixture.sid)
            // Recorded in an order unrelated to the expected one; three share one instant.
            let shuffled = [sids[3], sids[0], sids[5], sids[1], sids[4], sids[2]]
            let times = [Fixture.time(5), Fixture.time(9), Fixture.time(5), Fixture.time(1), Fixture.time(5), Fixture.time(7)]
            try await recordSent(shuffled, at: times, in: store)

            #expect(
                try await self.sids(query(), in: store) == [sids[0], sids[2], sids[5], sids[4], sids[3], sids[1]])

            // A later callback moves its message to the top.
            _ = try await store.record(
                try Fixture.callback(sid: sids[1], status: "delivered"), receivedAt: Fixture.time(10))
            #expect(
                try await self.sids(query(), in: store) == [sids[1], sids[0], sids[2], sids[5], sids[4], sids[3]])
        }
    }

    @Test("pages of 7 visit each of 50 messages exactly once, ties across pages included", arguments: StoreKind.allCases)
    func pagination(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sids = (100..<150).map(Fixture.sid)
            // Three messages per millisecond-precise instant, recorded newest SID first.
            let times = sids.indices.map { index in
                JSONCoding.wholeMilliseconds(Fixture.time(0).addingTimeInterval(Double(index / 3) * 0.037))
            }
            try await recordSent(sids.reversed(), at: times.reversed(), in: store)
            let everything = try await store.messages(matching: query()).messages
            #expect(everything.map(\.sid) == sids.reversed())

            var paged = query()
            paged.limit = 7
            let pages = try await store.allPages(of: paged)

            #expect(pages.count == 8)
            #expect(pages.dropLast().allSatisfy { $0.messages.count == 7 && $0.nextCursor != nil })
            #expect(pages.last?.messages.count == 1)
            #expect(pages.flatMap(\.messages) == everything)
            #expect(Set(pages.flatMap(\.messages).map(\.sid)) == Set(sids))
            for page in pages.dropLast() {
                let last = try #require(page.messages.last)
                #expect(page.nextCursor == MessageCursor(updatedAt: last.updatedAt, sid: last.sid).token)
            }
        }
    }

    @Test("a page carries a cursor only when another message follows", arguments: StoreKind.allCases)
    func cursorOnlyWhenMore(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sids = (200..<214).map(Fixture.sid)
            try await recordSent(sids, at: sids.indices.map(Fixture.time), in: store)

            var paged = query()
            paged.limit = 7
            let pages = try await store.allPages(of: paged)

            #expect(pages.count == 2)
            #expect(pages[0].nextCursor != nil)
            #expect(pages[1].nextCursor == nil)
            #expect(pages[1].messages.map(\.sid) == Array(sids.prefix(7).reversed()))
        }
    }

    @Test("the limit is respected", arguments: StoreKind.allCases)
    func limit(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            for limit in [1, 3, 7, 8, 9, 100] {
                var limited = query()
                limited.limit = limit
                let page = try await store.messages(matching: limited)
                #expect(page.messages.map(\.sid) == Array(Catalogue.newestFirst.prefix(limit)), "limit \(limit)")
                #expect((page.nextCursor != nil) == (limit < Catalogue.newestFirst.count), "limit \(limit)")
            }
        }
    }

    @Test("paging with a filter visits exactly the messages it admits", arguments: StoreKind.allCases)
    func filteredPagination(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            var sms = query { $0.channel = "sms" }
            sms.limit = 2
            let pages = try await store.allPages(of: sms)

            #expect(pages.map { $0.messages.map(\.sid) } == [
                [Catalogue.lateUndelivered, Catalogue.sending],
                [Catalogue.undelivered, Catalogue.delivered],
                [Catalogue.quiet],
            ])
        }
    }

    @Test("messages stored while paging neither appear on later pages nor displace earlier ones", arguments: StoreKind.allCases)
    func paginationWithConcurrentInserts(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sids = (300..<330).map(Fixture.sid)
            try await recordSent(sids, at: sids.indices.map(Fixture.time), in: store)
            let before = try await store.messages(matching: query()).messages

            var paged = query()
            paged.limit = 7
            var inserted: [String] = []
            let pages = try await store.allPages(of: paged) { pageNumber in
                // Two new messages between pages, changed after every message listed so far.
                let new = [Fixture.sid(1000 + 2 * pageNumber), Fixture.sid(1001 + 2 * pageNumber)]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for sid in new {
                        group.addTask {
                            _ = try await store.record(
                                try Fixture.callback(sid: sid, status: "queued"),
                                receivedAt: Fixture.time(1000 + pageNumber))
                        }
                    }
                    try await group.waitForAll()
                }
                inserted += new
            }

            #expect(pages.flatMap(\.messages) == before)
            #expect(inserted.count == 2 * (pages.count - 1))
            let latest = try await store.messages(matching: query()).messages.map(\.sid)
            #expect(Set(latest) == Set(sids + inserted))
        }
    }
}
