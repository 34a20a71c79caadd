import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// What every ``StatusStore`` must count for `GET /v1/stats/series`, written once and run
/// against every backend: each message once, under its current status, in the bucket of
/// its last change; buckets aligned to the epoch, every one present, empty ones included.
@Suite("Status series conformance")
struct StatusSeriesConformance {
    typealias Fixture = CallbackFixtures
    typealias Catalogue = MessageCatalogue
    typealias Bucket = StatusSeries.Bucket

    /// The start of an hour (UTC): `Fixture.time(0)` is 400 seconds past one.
    static func hour(_ hours: Int, plus seconds: TimeInterval = 0) -> Date {
        Fixture.time(-400 + 3600 * hours).addingTimeInterval(seconds)
    }

    /// Records one callback for `sid` with `status`, received at `time`.
    static func record(_ sid: Int, _ status: String, errorCode: Int? = nil, at time: Date, in store: any StatusStore)
        async throws
    {
        _ = try await store.record(
            try Fixture.callback(sid: Fixture.sid(sid), status: status, errorCode: errorCode), receivedAt: time)
    }

    @Test("messages are counted in the bucket of their last change, empty buckets included", arguments: StoreKind.allCases)
    func buckets(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.record(1, "failed", errorCode: 30008, at: Self.hour(0, plus: 300), in: store)
            try await Self.record(2, "delivered", at: Self.hour(0, plus: 900), in: store)
            try await Self.record(3, "undelivered", errorCode: 30003, at: Self.hour(2, plus: 1800), in: store)
            try await Self.record(4, "queued", at: Self.hour(2, plus: 1), in: store)
            try await Self.record(4, "sent", at: Self.hour(2, plus: 3599), in: store)
            try await Self.record(5, "delivered", at: Self.hour(4, plus: 3599.999), in: store)
            // Outside the buckets: just before the first, and at the end of the last.
            try await Self.record(6, "failed", at: Self.hour(0, plus: -0.001), in: store)
            try await Self.record(7, "delivered", at: Self.hour(5), in: store)

            let series = try await store.statusSeries(
                SeriesQuery(since: Self.hour(0, plus: 600), until: Self.hour(5), bucket: .seconds(3600)))

            #expect(series == StatusSeries(
                since: Self.hour(0), until: Self.hour(5), bucketSeconds: 3600,
                buckets: [
                    Bucket(start: Self.hour(0), total: 2, counts: ["failed": 1, "delivered": 1]),
                    Bucket(start: Self.hour(1)),
                    Bucket(start: Self.hour(2), total: 2, counts: ["undelivered": 1, "sent": 1]),
                    Bucket(start: Self.hour(3)),
                    Bucket(start: Self.hour(4), total: 1, counts: ["delivered": 1]),
                ]))
        }
    }

    @Test("each message counts once, under its current status, in the bucket of its last change", arguments: StoreKind.allCases)
    func catalogue(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            // `time(0)` is a multiple of 5 seconds: the buckets start at 0, 5, 10 and 15.
            let series = try await store.statusSeries(
                SeriesQuery(since: Fixture.time(0), until: Fixture.time(20), bucket: .seconds(5)))

            #expect(series == StatusSeries(
                since: Fixture.time(0), until: Fixture.time(20), bucketSeconds: 5,
                buckets: [
                    Bucket(start: Fixture.time(0)),
                    // `quiet`: queued at 5, then marked stale at 100, which is no change of status.
                    Bucket(start: Fixture.time(5), total: 1, counts: ["queued": 1]),
                    // `conflicting` is delivered, though its last report (failed, at 13) said otherwise.
                    Bucket(
                        start: Fixture.time(10), total: 5,
                        counts: ["delivered": 2, "undelivered": 1, "sent": 1, "failed": 1]),
                    Bucket(start: Fixture.time(15), total: 2, counts: ["sending": 1, "undelivered": 1]),
                ]))
        }
    }

    @Test("a message that moved counts in its latest bucket only", arguments: StoreKind.allCases)
    func movedMessage(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let query = SeriesQuery(since: Self.hour(0), until: Self.hour(4), bucket: .seconds(3600))
            try await Self.record(1, "queued", at: Self.hour(0, plus: 60), in: store)
            try await Self.record(2, "delivered", at: Self.hour(1, plus: 60), in: store)

            #expect(try await store.statusSeries(query).buckets.map(\.counts) == [["queued": 1], ["delivered": 1], [:], [:]])

            try await Self.record(1, "sent", at: Self.hour(1, plus: 120), in: store)
            #expect(try await store.statusSeries(query).buckets.map(\.counts) == [[:], ["sent": 1, "delivered": 1], [:], [:]])

            try await Self.record(1, "delivered", at: Self.hour(3, plus: 60), in: store)
            let series = try await store.statusSeries(query)
            #expect(series.buckets.map(\.counts) == [[:], ["delivered": 1], [:], ["delivered": 1]])
            #expect(series.buckets.map(\.total) == [0, 1, 0, 1])
        }
    }

    @Test("the channel filter counts one channel's messages, every bucket still present", arguments: StoreKind.allCases)
    func channel(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)
            func counts(_ channel: String) async throws -> [[String: Int]] {
                try await store.statusSeries(
                    SeriesQuery(since: Fixture.time(0), until: Fixture.time(20), bucket: .seconds(5), channel: channel)
                ).buckets.map(\.counts)
            }

            #expect(try await counts("whatsapp") == [[:], [:], ["sent": 1, "delivered": 1], [:]])
            #expect(try await counts("sms") == [
                [:], ["queued": 1], ["delivered": 1, "undelivered": 1], ["sending": 1, "undelivered": 1],
            ])
            #expect(try await counts("rcs") == [[:], [:], ["failed": 1], [:]])
            #expect(try await counts("messenger") == [[:], [:], [:], [:]])
        }
    }

    @Test("buckets are aligned to the epoch: a window inside buckets widens to their edges", arguments: StoreKind.allCases)
    func alignment(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Catalogue.record(in: store)

            // since 7 is inside the bucket from 5, until 12 inside the one from 10: both
            // buckets are counted whole, `quiet` (at 5) and the messages at 13 and 14 with them.
            let widened = try await store.statusSeries(
                SeriesQuery(since: Fixture.time(7), until: Fixture.time(12), bucket: .seconds(5)))
            #expect(widened.since == Fixture.time(5))
            #expect(widened.until == Fixture.time(15))
            #expect(widened.buckets.map(\.start) == [Fixture.time(5), Fixture.time(10)])
            #expect(widened.buckets.map(\.total) == [1, 5])

            // An until on a boundary ends the series there: the messages at 15 are not counted.
            let onBoundary = try await store.statusSeries(
                SeriesQuery(since: Fixture.time(0), until: Fixture.time(15), bucket: .seconds(5)))
            #expect(onBoundary.until == Fixture.time(15))
            #expect(onBoundary.buckets.map(\.total) == [0, 1, 5])

            // Minutes, hours and days start on the minute, the hour and midnight UTC.
            for seconds in [60, 3600, 86_400] {
                let series = try await store.statusSeries(
                    SeriesQuery(since: Fixture.time(0), until: Fixture.time(20), bucket: .seconds(seconds)))
                #expect(series.bucketSeconds == seconds)
                #expect(series.buckets.count == 1)
                #expect(series.since.timeIntervalSince1970.truncatingRemainder(dividingBy: Double(seconds)) == 0)
                #expect(series.since <= Fixture.time(0))
                #expect(series.since > Fixture.time(-seconds))
                #expect(series.until == series.since.addingTimeInterval(Double(seconds)))
                #expect(series.buckets.first?.total == 8)
            }
            #expect(try await store.statusSeries(
                SeriesQuery(since: Fixture.time(0), until: Fixture.time(20), bucket: .seconds(60))).since == Fixture.time(-40))
            #expect(try await store.statusSeries(
                SeriesQuery(since: Fixture.time(0), until: Fixture.time(20), bucket: .seconds(3600))).since
                == Self.hour(0))
        }
    }
}
