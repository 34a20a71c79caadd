import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TidingsServer
import TidingsTestSupport

/// Floods logged as a few lines, not one per request: forged callbacks (answered 429 past
/// the limit, never at the cost of a signed callback), and callbacks a store that fails
/// every commit cannot take.
@Suite("Floods of refused callbacks")
struct FloodTests {
    @Test func forgeriesPastTheLimitGet429AndTheLogStaysShort() async throws {
        let log = CapturedLog()
        var server = TestServer()
        server.configuration.port = 0
        server.configuration.signatureFailureLimit = 5
        server.logger = log.logger(level: .warning)
        nonisolated(unsafe) var forbiddenCount = 0
        nonisolated(unsafe) var limitedCount = 0
        try await server.application().test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: [String] = []
            for number in 0..<30 {
                let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(number), status: "sent")
                let (headers, body) = TestServer.signedForm(form, url: "http://localhost/twilio/status", token: "not-the-token")
                let response = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)
                statuses.append(response.status)
                if let value = response.headers[.retryAfter] { retryAfter.append(value) }
            }
            // The bucket refills at 5 a minute, so a slow machine may see a refill or two.
            forbiddenCount = statuses.filter { $0 == .forbidden }.count
            limitedCount = statuses.filter { $0 == .tooManyRequests }.count
            #expect(statuses.prefix(5).map(\.code) == [403, 403, 403, 403, 403], "\(statuses)")
            #expect(forbiddenCount + limitedCount == 30 && limitedCount >= 20, "\(statuses)")
            #expect(retryAfter.count == limitedCount && retryAfter.allSatisfy { (Int($0) ?? 0) >= 1 }, "\(retryAfter)")
            // A real callback from the same address is never refused by the limit.
            try await TestServer.post(
                CallbackFixtures.parameters(sid: CallbackFixtures.sid(99), status: "sent"), with: client, expecting: .noContent)
            // Nothing of the forgeries was stored.
            for number in 0..<30 {
                #expect(try await TestServer.document(CallbackFixtures.sid(number), with: client) == nil)
            }
        }
        // The server has stopped, so the pending summary is written.
        let refusals = log.text.filter { $0.contains("rejected") }
        #expect(refusals.count == 3, "the first of each kind in full, then one summary: \(refusals)")
        let summary = refusals.last ?? ""
        #expect(summary.contains("invalid_signature \(forbiddenCount)") && summary.contains("too_many_failures \(limitedCount)"), "\(summary)")
    }

    @Test func callbacksAStoreCannotTakeGet503AndTheLogStaysShort() async throws {
        let log = CapturedLog()
        var server = TestServer()
        server.store = UnavailableStore()
        server.logger = log.logger(level: .info)
        try await server.application().test(.router) { client in
            for number in 0..<40 {
                let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(number), status: "sent")
                let (headers, body) = TestServer.signedForm(form, url: TestServer.callbackURL)
                let response = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)
                #expect(response.status == .serviceUnavailable)
            }
        }
        // The store's own log says why (a group commit's `CommitFailureLog`); the route logs
        // the first refusal in full and then one summary, not a line a callback.
        let lines = log.text.filter { $0.contains("callback") }
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.last?.contains("store_unavailable 40") == true, "\(lines)")
    }

    @Test func theLimiterRefillsOverTimeAndForgetsAddressesWithinItsBound() {
        final class Now: @unchecked Sendable { var date = Date(timeIntervalSince1970: 1_800_000_000) }
        let now = Now()
        let limiter = FailureRateLimiter(limit: 60, maximumAddresses: 100, now: { now.date })
        for _ in 0..<60 { #expect(limiter.recordFailure(of: "198.51.100.7") == nil) }
        #expect(limiter.recordFailure(of: "198.51.100.7") == .seconds(1), "one failure a second refills")
        #expect(limiter.recordFailure(of: "203.0.113.1") == nil, "other addresses have their own bucket")
        now.date += 1
        #expect(limiter.recordFailure(of: "198.51.100.7") == nil)
        for index in 0..<1000 { _ = limiter.recordFailure(of: "10.0.\(index / 256).\(index % 256)") }
        #expect(limiter.trackedAddresses <= 100)
    }
}
