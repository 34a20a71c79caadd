import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// What every ``StatusStore`` must count (`GET /v1/stats`), written once and run against
/// every backend: messages by their current state, delivery latencies as nearest-rank
/// percentiles, and the window and channel that select the messages counted.
@Suite("Message stats conformance")
struct MessageStatsConformance {
    typealias Fixture = CallbackFixtures
    typealias Catalogue = MessageCatalogue

    @Test("messages are counted by status, channel and error code, with stale and conflicts", arguments: StoreKind.allCases)
    func counts(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            let stats = try await store.stats(StatsQuery())

            #expect(stats == MessageStats(
                total: 8,
                byStatus: ["delivered": 2, "undelivered": 2, "sent": 1, "queued": 1, "failed": 1, "sending": 1],
                byChannel: ["sms": 5, "whatsapp": 2, "rcs": 1],
                byErrorCode: [30003: 2, 30008: 1],
                stale: 1, conflicts: 1,
                queuedToSent: LatencySummary(samples: [1, 9]),
                sentToDelivered: LatencySummary(samples: [9])))
        }
    }

    @Test("the window selects messages by their last change: since included, until excluded", arguments: StoreKind.allCases)
    func window(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(try await store.stats(StatsQuery(since: Fixture.time(12))) == MessageStats(
                total: 5,
                byStatus: ["sent": 1, "delivered": 1, "failed": 1, "sending": 1, "undelivered": 1],
                byChannel: ["whatsapp": 2, "rcs": 1, "sms": 2],
                byErrorCode: [30008: 1, 30003: 1],
                stale: 0, conflicts: 1,
                queuedToSent: LatencySummary(samples: [9])))
            #expect(try await store.stats(StatsQuery(until: Fixture.time(12))) == MessageStats(
                total: 3,
                byStatus: ["undelivered": 1, "delivered": 1, "queued": 1],
                byChannel: ["sms": 3],
                byErrorCode: [30003: 1],
                stale: 1, conflicts: 0,
                queuedToSent: LatencySummary(samples: [1]),
                sentToDelivered: LatencySummary(samples: [9])))
            #expect(try await store.stats(StatsQuery(since: Fixture.time(16))) == MessageStats())
        }
    }

    @Test("the channel filter counts one channel's messages", arguments: StoreKind.allCases)
    func channel(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            #expect(try await store.stats(StatsQuery(channel: "whatsapp")) == MessageStats(
                total: 2,
                byStatus: ["sent": 1, "delivered": 1],
                byChannel: ["whatsapp": 2],
                conflicts: 1,
                queuedToSent: LatencySummary(samples: [9])))
            #expect(
                try await store.stats(StatsQuery(since: Fixture.time(10), until: Fixture.time(15), channel: "sms"))
                    == MessageStats(
                        total: 2,
                        byStatus: ["delivered": 1, "undelivered": 1],
                        byChannel: ["sms": 2],
                        byErrorCode: [30003: 1],
                        queuedToSent: LatencySummary(samples: [1]),
                        sentToDelivered: LatencySummary(samples: [9])))
            #expect(try await store.stats(StatsQuery(channel: "messenger")) == MessageStats())
        }
    }

    @Test("latencies are nearest-rank percentiles of the messages' timelines", arguments: StoreKind.allCases)
    func latencies(kind: StoreKind) async throws {
        try await kind.withStore { store in
            // queued → sent: 1, 2, …, 20 seconds.
            for index in 1...20 {
                let sid = Fixture.sid(400 + index)
                _ = try await store.record(
                    try Fixture.callback(sid: sid, status: "queued"), receivedAt: Fixture.time(100 * index))
                _ = try await store.record(
                    try Fixture.callback(sid: sid, status: "sent"), receivedAt: Fixture.time(100 * index + index))
            }
            // sent → delivered, in seconds.
            for (index, seconds) in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3].enumerated() {
                let sid = Fixture.sid(500 + index)
                let sent = 3000 + 100 * index
                _ = try await store.record(try Fixture.callback(sid: sid, status: "sent"), receivedAt: Fixture.time(sent))
                _ = try await store.record(
                    try Fixture.callback(sid: sid, status: "delivered"), receivedAt: Fixture.time(sent + seconds))
            }
            // The carrier's done time → its receipt's arrival, in seconds. `261118HHMM` is
            // `time(20 + 60 * minutes)` for the minutes after 11:07 UTC.
            for (index, seconds) in [30, 90, 60, 120, 45].enumerated() {
                let minutes = 10 * index
                _ = try await store.record(
                    try Fixture.callback(
                        sid: Fixture.sid(600 + index), status: "delivered",
                        rawDlrDoneDate: "26111811" + String(format: "%02d", 7 + minutes)),
                    receivedAt: Fixture.time(20 + 60 * minutes + seconds))
            }

            let stats = try await store.stats(StatsQuery())

            #expect(stats.total == 35)
            #expect(stats.byStatus == ["sent": 20, "delivered": 15])
            let queuedToSent = try #require(stats.queuedToSent)
            #expect(queuedToSent.count == 20)
            #expect(queuedToSent.p50 == 10)
            #expect(queuedToSent.p90 == 18)
            #expect(queuedToSent.p99 == 20)
            #expect(queuedToSent.max == 20)
            let sentToDelivered = try #require(stats.sentToDelivered)
            #expect(sentToDelivered.count == 10)
            #expect(sentToDelivered.p50 == 3)
            #expect(sentToDelivered.p90 == 6)
            #expect(sentToDelivered.p99 == 9)
            #expect(sentToDelivered.max == 9)
            let carrierToCallback = try #require(stats.carrierToCallback)
            #expect(carrierToCallback.count == 5)
            #expect(carrierToCallback.p50 == 60)
            #expect(carrierToCallback.p90 == 120)
            #expect(carrierToCallback.p99 == 120)
            #expect(carrierToCallback.max == 120)
        }
    }
}
