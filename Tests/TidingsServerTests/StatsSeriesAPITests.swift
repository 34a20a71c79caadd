import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport

@Suite("GET /v1/stats/series")
struct StatsSeriesAPITests {
    typealias Fixture = CallbackFixtures

    /// The start of an hour (UTC): `Fixture.time(0)` is 400 seconds past one.
    static func hour(_ hours: Int, plus seconds: TimeInterval = 0) -> Date {
        Fixture.time(-400 + 3600 * hours).addingTimeInterval(seconds)
    }

    static func text(_ date: Date) -> String {
        JSONCoding.formatTimestamp(date)
    }

    /// A server whose memory store holds messages at known times: in the hour from
    /// ``hour(_:plus:)`` 0, one delivered and one undelivered; in hour 2, one delivered on
    /// WhatsApp; in hour 3, one failed.
    static func server() async throws -> TestServer {
        let store = InMemoryStatusStore()
        let messages: [(Int, String, Int?, String, Date)] = [
            (1, "delivered", nil, "+15550000001", hour(0, plus: 60)),
            (2, "undelivered", 30003, "+15550000002", hour(0, plus: 3599)),
            (3, "delivered", nil, "whatsapp:+15550000003", hour(2, plus: 1800)),
            (4, "failed", 30008, "+15550000004", hour(3, plus: 10)),
        ]
        for (number, status, errorCode, to, time) in messages {
            _ = try await store.record(
                try Fixture.callback(sid: Fixture.sid(number), status: status, errorCode: errorCode, to: to),
                receivedAt: time)
        }
        var server = TestServer()
        server.store = store
        return server
    }

    func series(_ client: some TestClientProtocol, _ query: String) async throws -> StatusSeries {
        let response = try await client.execute(uri: "/v1/stats/series?\(query)", method: .get)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try JSONCoding.makeDecoder().decode(StatusSeries.self, from: Data(buffer: response.body))
    }

    @Test func theAnswerCountsEachBucketByStatusWithEmptyBucketsAndNoZeroes() async throws {
        try await Self.server().application().test(.router) { client in
            let since = Self.text(Self.hour(0, plus: 600))
            let response = try await client.execute(
                uri: "/v1/stats/series?since=\(since)&until=\(Self.text(Self.hour(4)))&bucket=1h", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let answer = try #require(
                try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(Set(answer.keys) == ["since", "until", "bucketSeconds", "buckets"])
            #expect(answer["since"] as? String == Self.text(Self.hour(0)))
            #expect(answer["until"] as? String == Self.text(Self.hour(4)))
            #expect((answer["since"] as? String)?.hasSuffix(":00:00.000Z") == true)
            #expect(answer["bucketSeconds"] as? Int == 3600)
            let buckets = try #require(answer["buckets"] as? [[String: Any]])
            #expect(buckets.map { $0["start"] as? String } == (0..<4).map { Self.text(Self.hour($0)) })
            #expect(buckets.map { $0["total"] as? Int } == [2, 0, 1, 1])
            #expect(buckets.map { $0["counts"] as? [String: Int] } == [
                ["delivered": 1, "undelivered": 1], [:], ["delivered": 1], ["failed": 1],
            ])
        }
    }

    @Test func theChannelFilterCountsOneChannel() async throws {
        try await Self.server().application().test(.router) { client in
            let answer = try await series(
                client, "since=\(Self.text(Self.hour(0)))&until=\(Self.text(Self.hour(4)))&bucket=2h&channel=WhatsApp")
            #expect(answer.bucketSeconds == 7200)
            // Hour 0 is an odd hour since the epoch: 2h buckets start an hour before it.
            #expect(answer.since == Self.hour(-1))
            #expect(answer.until == Self.hour(5))
            #expect(answer.buckets.map(\.counts) == [[:], ["delivered": 1], [:]])
        }
    }

    @Test(
        "the default bucket is the smallest of 1m, 5m, 15m, 1h, 6h and 1d giving at most 60 buckets",
        arguments: [
            (3600, 60, 60), (3601, 300, 13), (2 * 3600, 300, 24), (15 * 3600, 900, 60), (24 * 3600, 3600, 24),
            (7 * 86_400, 21_600, 28), (30 * 86_400, 86_400, 30), (90 * 86_400, 86_400, 90),
        ])
    func defaultBucket(window: Int, bucketSeconds: Int, buckets: Int) async throws {
        // Windows from midnight UTC, so every bucket size is aligned with their start.
        let midnight = Date(timeIntervalSince1970: 1_794_960_000)
        try await Self.server().application().test(.router) { client in
            let answer = try await series(
                client,
                "since=\(Self.text(midnight))&until=\(Self.text(midnight.addingTimeInterval(TimeInterval(window))))")
            #expect(answer.bucketSeconds == bucketSeconds)
            #expect(answer.buckets.count == buckets)
            #expect(answer.since == midnight)
        }
    }

    @Test func withoutParametersTheSeriesIsTheLast24HoursInHours() async throws {
        try await TestServer().application().test(.router) { client in
            let before = Date()
            try await TestServer.post(
                Fixture.parameters(sid: Fixture.sid(1), status: "undelivered", errorCode: 30003), with: client,
                expecting: .noContent)
            let answer = try await series(client, "")
            let after = Date()
            #expect(answer.bucketSeconds == 3600)
            #expect((24...25).contains(answer.buckets.count))
            #expect(answer.since <= before.addingTimeInterval(-86_400))
            #expect(answer.since > after.addingTimeInterval(-86_400 - 3600))
            #expect(answer.until >= before)
            #expect(answer.buckets.last?.counts == ["undelivered": 1])
            #expect(answer.buckets.dropLast().allSatisfy { $0.total == 0 })

            let lastHour = try await series(client, "since=1h")
            #expect(lastHour.bucketSeconds == 60 || lastHour.bucketSeconds == 300)
            #expect(lastHour.buckets.count <= 60)
            #expect(lastHour.buckets.last?.counts == ["undelivered": 1])
        }
    }

    @Test func aThousandBucketsAreAnsweredAndMoreAreRefused() async throws {
        try await Self.server().application().test(.router) { client in
            let since = Self.text(Self.hour(0))
            let thousand = try await series(client, "since=\(since)&until=\(Self.text(Self.hour(0, plus: 60_000)))&bucket=1m")
            #expect(thousand.buckets.count == 1000)

            let response = try await client.execute(
                uri: "/v1/stats/series?since=\(since)&until=\(Self.text(Self.hour(0, plus: 60_001)))&bucket=1m",
                method: .get)
            #expect(response.status == .badRequest)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.code == "invalid_parameter")
            #expect(error.error.field == "bucket")
            #expect(error.error.message.contains("1001"))
            #expect(error.error.message.contains("use a larger bucket"))
        }
    }

    @Test(
        "a bad parameter is 400 naming it",
        arguments: [
            ("since=yesterday", "since"), ("until=soon", "until"), ("bucket=often", "bucket"), ("bucket=0s", "bucket"),
            ("bucket=1.5s", "bucket"), ("bucket=400d", "bucket"), ("since=2026-11-18T12:00:00Z&until=2026-11-18T11:00:00Z", "since"),
            ("since=2026-11-18T12:00:00Z&until=2026-11-18T12:00:00Z", "since"), ("since=100000000000000000000s", "since"),
            ("since=2000-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "bucket"),
        ])
    func aBadParameterIs400(query: String, field: String) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/stats/series?\(query)", method: .get)
            #expect(response.status == .badRequest, "\(String(buffer: response.body))")
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.code == "invalid_parameter")
            #expect(error.error.field == field)
        }
    }
}
