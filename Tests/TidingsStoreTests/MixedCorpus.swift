import Foundation
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// A deterministic mix of messages for holding two stores to the same answers: every
/// channel, lives that end in each kind of status (unknown ones included), error codes,
/// conflicts, carrier receipts, millisecond times and messages changed at the same
/// instant — with the listing, stats and series queries to ask of them.
struct MixedCorpus {
    /// The callbacks, in the order to record them, each with its receipt time (a whole
    /// millisecond, as the server takes it).
    private(set) var callbacks: [(StatusCallback, Date)] = []
    /// When the first message may start.
    private let start = CallbackFixtures.time(0)
    /// How long after ``start`` the last message starts.
    private let span: TimeInterval

    /// The statuses of each life a message may have (`status:errorCode`).
    private static let lives: [[String]] = [
        ["queued"], ["sending"], ["queued", "sent"], ["queued", "sending", "sent", "delivered"],
        ["queued", "sent", "undelivered:30003"], ["sent", "failed:30008"], ["delivered", "undelivered:30005"],
        ["queued", "sent", "delivered", "read"], ["undelivered:30003", "read"], ["accepted", "held_by_carrier"],
        ["held_by_carrier"],
    ]
    private static let recipients = [
        "+15550000001", "+15550000002", "whatsapp:+15550000001", "rcs:+15550000003", "messenger:4242",
    ]

    /// A corpus of `messages` messages.
    init(messages: Int) throws {
        var random = SplitMix64(seed: 2026)
        let starts = max(messages / 2, 1)
        span = TimeInterval(starts) * 0.75
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        /// `RawDlrDoneDate` (`YYMMDDhhmm`, UTC) for a minute at most two before `time`.
        func receipt(before time: Date) -> String {
            let done = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute], from: time.addingTimeInterval(-60 * Double(random.next(3))))
            return String(
                format: "%02d%02d%02d%02d%02d", done.year! % 100, done.month!, done.day!, done.hour!, done.minute!)
        }

        for index in 0..<messages {
            let sid = CallbackFixtures.sid(5000 + index)
            let to = Self.recipients[random.next(Self.recipients.count)]
            // Starts fall on a few hundred instants, so that many messages share one.
            var time = start.addingTimeInterval(Double(random.next(starts)) * 0.75 + Double(random.next(3)) / 1000)
            for step in Self.lives[random.next(Self.lives.count)] {
                let parts = step.split(separator: ":")
                let status = String(parts[0])
                let errorCode = parts.count > 1 ? Int(parts[1]) : nil
                let hasReceipt = ["delivered", "undelivered"].contains(status) && random.next(2) == 0
                let callback = try CallbackFixtures.callback(
                    sid: sid, status: status, errorCode: errorCode,
                    rawDlrDoneDate: hasReceipt ? receipt(before: time) : nil, to: to)
                callbacks.append((callback, JSONCoding.wholeMilliseconds(time)))
                time.addTimeInterval(Double(1 + random.next(40)) + Double(random.next(1000)) / 1000)
            }
        }
    }

    /// The instant `fraction` of the way from the first start to the last.
    func instant(fraction: Double) -> Date {
        JSONCoding.wholeMilliseconds(start.addingTimeInterval(span * fraction))
    }

    /// Listing queries: each filter, a few combinations, and page sizes that split ties.
    var queries: [MessageQuery] {
        func query(limit: Int, _ configure: (inout MessageQuery) -> Void = { _ in }) -> MessageQuery {
            var query = MessageQuery()
            query.limit = limit
            configure(&query)
            return query
        }
        return [
            query(limit: 7),
            query(limit: 1000),
            query(limit: 5) { $0.statuses = ["delivered", "read"] },
            query(limit: 9) { $0.statuses = ["held_by_carrier", "accepted"] },
            query(limit: 4) { $0.channel = "whatsapp" },
            query(limit: 3) { $0.isFinal = false },
            query(limit: 6) { $0.stale = true },
            query(limit: 6) { $0.conflict = true },
            query(limit: 8) { $0.errorCode = 30003 },
            query(limit: 5) { $0.to = "+15550000001" },
            query(limit: 6) { $0.since = instant(fraction: 0.2); $0.until = instant(fraction: 0.7) },
            query(limit: 4) { $0.channel = "sms"; $0.isFinal = true; $0.since = instant(fraction: 0.3) },
        ]
    }

    /// Stats queries: everything, windows and channels.
    var statsQueries: [StatsQuery] {
        [
            StatsQuery(),
            StatsQuery(since: instant(fraction: 0.3)),
            StatsQuery(until: instant(fraction: 0.6)),
            StatsQuery(channel: "whatsapp"),
            StatsQuery(channel: "rcs"),
            StatsQuery(since: instant(fraction: 0.1), until: instant(fraction: 0.9), channel: "sms"),
        ]
    }

    /// Series queries: buckets of a second and of a few (many messages on a boundary),
    /// windows that start and end between milliseconds, channels, and one bucket for all.
    var seriesQueries: [SeriesQuery] {
        [
            SeriesQuery(since: instant(fraction: 0), until: instant(fraction: 5), bucket: .seconds(1)),
            SeriesQuery(
                since: instant(fraction: 0.2).addingTimeInterval(0.0004),
                until: instant(fraction: 0.8).addingTimeInterval(0.0006), bucket: .seconds(3)),
            SeriesQuery(since: instant(fraction: -1), until: instant(fraction: 5), bucket: .seconds(7), channel: "whatsapp"),
            SeriesQuery(since: instant(fraction: 0.5), until: instant(fraction: 2), bucket: .seconds(10), channel: "sms"),
            SeriesQuery(since: instant(fraction: 0), until: instant(fraction: 5), bucket: .seconds(86_400)),
        ]
    }
}
