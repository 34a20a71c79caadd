import Foundation
import Testing
import TidingsTestSupport

/// `tidings stats` against a real `tidings serve`.
@Suite("tidings stats")
struct CLIStatsTests {
    /// A server that has heard of three messages: one delivered (queued, sent, delivered),
    /// one undelivered with 30003, one WhatsApp message failed with 63016.
    private func servedWithThreeMessages() async throws -> ServedTidings {
        let served = try await ServedTidings()
        let delivered = CallbackFixtures.sid(0x57a1)
        for status in ["queued", "sent", "delivered"] {
            try await served.post(delivered, status)
        }
        try await served.post(CallbackFixtures.sid(0x57a2), "undelivered", errorCode: 30003)
        try await served.post(CallbackFixtures.sid(0x57a3), "failed", errorCode: 63016, to: "whatsapp:+15558675310")
        return served
    }

    @Test func jsonCountsMessagesByStatusChannelAndErrorCode() async throws {
        let served = try await servedWithThreeMessages()
        defer { served.stop() }
        let result = try await served.run(["stats", "--json"])
        #expect(result.exitStatus == 0)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(stats["total"] as? Int == 3)
        #expect(stats["byStatus"] as? [String: Int] == ["delivered": 1, "undelivered": 1, "failed": 1])
        #expect(stats["byChannel"] as? [String: Int] == ["sms": 2, "whatsapp": 1])
        let codes = try #require(stats["errorCodes"] as? [[String: Any]])
        #expect(Set(codes.compactMap { $0["code"] as? Int }) == [30003, 63016])
        let unreachable = try #require(codes.first { $0["code"] as? Int == 30003 })
        #expect(unreachable["title"] as? String == "Unreachable destination handset")
        #expect(unreachable["retryable"] as? Bool == true)
        let latency = try #require(stats["latency"] as? [String: Any])
        #expect((latency["queuedToSent"] as? [String: Any])?["count"] as? Int == 1)
    }

    @Test func theTablesAreAlignedAndExplainErrorCodes() async throws {
        let served = try await servedWithThreeMessages()
        defer { served.stop() }
        let result = try await served.run(["stats", "--since", "24h"])
        #expect(result.exitStatus == 0)
        #expect(result.standardError.isEmpty)
        #expect(!result.standardOutput.contains("\u{1B}"))
        let tables = result.standardOutput.split(separator: "\n\n").map { $0.split(separator: "\n").map(String.init) }
        #expect(tables.first == ["3 messages (since 24h)"])

        let statuses = try #require(tables.first { $0.first?.hasPrefix("STATUS") == true })
        #expect(statuses.count == 4)
        #expect(Set(statuses.map(\.count)).count == 1, "the counts are right-aligned: \(statuses)")
        #expect(Set(statuses.dropFirst().map { $0.split(separator: " ").map(String.init) }) == [
            ["delivered", "1"], ["undelivered", "1"], ["failed", "1"],
        ])

        let channels = try #require(tables.first { $0.first?.hasPrefix("CHANNEL") == true })
        #expect(channels.dropFirst().map { $0.split(separator: " ").map(String.init) } == [["sms", "2"], ["whatsapp", "1"]])

        let errors = try #require(tables.first { $0.first?.hasPrefix("ERROR") == true })
        #expect(errors.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ERROR", "MESSAGES", "RETRY", "HELPS", "TITLE"])
        #expect(errors.contains { $0.wholeMatch(of: #/30003 +1  yes +Unreachable destination handset/#) != nil })
        #expect(errors.contains { $0.hasPrefix("63016") })

        let latency = try #require(tables.first { $0.first?.hasPrefix("LATENCY") == true })
        #expect(latency.contains { $0.wholeMatch(of: #/queued → sent +1( +[0-9.]+s){4}/#) != nil })
    }

    @Test func theChannelFilterNarrowsTheCount() async throws {
        let served = try await servedWithThreeMessages()
        defer { served.stop() }
        let result = try await served.run(["stats", "--channel", "whatsapp", "--json"])
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(stats["total"] as? Int == 1)
    }

    @Test func aWindowTheServerCannotReadIsOneLine() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let result = try await served.run(["stats", "--since", "yesterday-ish"])
        #expect(result.exitStatus == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.hasPrefix("tidings: Tidings answered 400: since: yesterday-ish is neither"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }
}
