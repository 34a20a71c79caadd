import Foundation
import Logging
import Synchronization
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// A sink whose answers a test decides per attempt, and that remembers when — by the test's
/// clock — each attempt came and how it ended.
final class ClockedSink: EventSink {
    struct Attempt {
        let at: ManualClock.Instant
        let failed: Bool
    }

    let name = "webhook"
    private let clock: ManualClock
    /// The error to throw for attempt `number` (from 1) at `instant`; nil to accept.
    private let answer: @Sendable (_ number: Int, _ instant: ManualClock.Instant) -> SinkDeliveryError?
    private let log = Mutex<(attempts: [Attempt], taken: [String])>(([], []))

    init(clock: ManualClock, answer: @escaping @Sendable (_ number: Int, _ instant: ManualClock.Instant) -> SinkDeliveryError?) {
        self.clock = clock
        self.answer = answer
    }

    func deliver(_ batch: [StatusChange]) throws {
        let now = clock.now
        let failure = log.withLock { log -> SinkDeliveryError? in
            let failure = answer(log.attempts.count + 1, now)
            log.attempts.append(Attempt(at: now, failed: failure != nil))
            if failure == nil { log.taken += batch.map(\.id) }
            return failure
        }
        if let failure { throw failure }
    }

    var attempts: [Attempt] { log.withLock { $0.attempts } }
    var taken: [String] { log.withLock { $0.taken } }
    var lastAttemptFailed: Bool { log.withLock { $0.attempts.last?.failed ?? false } }

    /// Whether every one of `ids` was taken (at least once).
    func hasTaken(_ ids: [String]) -> Bool {
        let taken = Set(self.taken)
        return ids.allSatisfy(taken.contains)
    }

    /// The ids taken, each once, in the order first taken.
    var takenOnce: [String] {
        var seen = Set<String>()
        return taken.filter { seen.insert($0).inserted }
    }
}

/// A dispatcher on a manual clock, fed one callback per simulated second: minutes and days
/// of a sink's outage in a fraction of a second of real time.
///
/// The test never sleeps to show that something did not happen: after every step it waits
/// (bounded) until the dispatcher is at rest — its sink loop and its pruning loop both
/// asleep on the clock, the two ``ManualClock/sleepers`` — and only then moves time on.
struct SimulatedDelivery {
    let clock = ManualClock()
    let outbox = InMemoryStatusStore()
    let sink: ClockedSink
    let dispatcher: SinkDispatcher
    let serviceClock: ServiceClock
    let policy: DeliveryPolicy
    private(set) var recorded: [String] = []
    private var number = 0
    /// The dispatcher's ticker, the pruning loop and the sink's loop: asleep on the clock,
    /// or, for an idle sink loop, waiting for a tick.
    static let restingLoops = 3

    init(
        policy: DeliveryPolicy = DeliveryPolicy(),
        answer: @escaping @Sendable (_ number: Int, _ instant: ManualClock.Instant) -> SinkDeliveryError?
    ) {
        sink = ClockedSink(clock: clock, answer: answer)
        serviceClock = ServiceClock(clock, wallTimeAtStart: CallbackFixtures.time(0))
        self.policy = policy
        dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: sink)], policy: policy, logger: Logger(label: "test"),
            clock: serviceClock)
    }

    /// How long the clock has run.
    var elapsed: Duration { clock.now.offset }

    /// Stores one callback received now (by the clock) and tells the dispatcher.
    mutating func receiveCallback() async throws {
        let outcome = try await outbox.record(
            try CallbackFixtures.callback(sid: CallbackFixtures.sid(number), status: "sent"),
            receivedAt: serviceClock.wallTime)
        number += 1
        recorded.append(try #require(outcome.change).id)
        dispatcher.notify()
    }

    /// Waits until the dispatcher is at rest and `condition` holds; false when that does not
    /// happen within 60 s of real time (a bound against hanging, generous because the whole
    /// suite runs at once on two cores; a dispatcher that comes to rest returns at once).
    func settle(until condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if clock.sleepers + dispatcher.idleLanes == Self.restingLoops, await condition() { return true }
            await Task.yield()
            try? await Task.sleep(for: .microseconds(100))
        }
        return false
    }

    /// At rest after what the sink was last asked: waiting to retry a failure, or idle with
    /// every recorded change taken.
    func settle() async -> Bool {
        await settle { sink.lastAttemptFailed || sink.hasTaken(recorded) }
    }

    /// Runs the dispatcher while `body` runs, then finishes it.
    mutating func running(_ body: (inout SimulatedDelivery) async throws -> Void) async throws {
        try await dispatcher.registerSinks()
        let dispatcher = self.dispatcher
        let task = Task { try await dispatcher.run() }
        #expect(await settle { true }, "the dispatcher comes to rest before the first callback")
        try await body(&self)
        dispatcher.finish()
        try await task.value
    }
}

@Suite("SinkDispatcher: an outage is waited out, not dead-lettered")
struct SinkOutageTests {
    @Test("a sink down 10 minutes under a callback a second gets every change, after about a dozen attempts spaced as the backoff says")
    func tenMinuteOutage() async throws {
        var delivery = SimulatedDelivery { _, instant in
            instant.offset < .seconds(600) ? SinkDeliveryError("HTTP 503 from https://crm.example/hooks") : nil
        }
        try await delivery.running { delivery in
            // 0.5 s doubling to 5 min, plus up to half again: the first attempt after 600 s
            // comes by 600 + 1.5 × 300 s.
            for _ in 0..<1_100 {
                try await delivery.receiveCallback()
                guard await delivery.settle() else {
                    Issue.record("the dispatcher did not come to rest at \(delivery.elapsed)")
                    return
                }
                delivery.clock.advance(by: .seconds(1))
            }
            #expect(await delivery.settle { delivery.sink.hasTaken(delivery.recorded) })
        }
        let sink = delivery.sink
        #expect(sink.takenOnce == delivery.recorded, "every change, in order, at least once")
        #expect(await delivery.outbox.deadLetterCount(of: "webhook") == 0)

        let attempts = sink.attempts
        let recovery = try #require(attempts.firstIndex { !$0.failed }, "the sink took the batch in the end")
        let retries = attempts[...recovery]
        #expect((8...16).contains(retries.count), "about a dozen attempts in 10 minutes, not \(retries.count)")
        #expect(attempts[recovery].at.offset >= .seconds(600))
        for (number, (earlier, later)) in zip(retries, retries.dropFirst()).enumerated() {
            let attempt = number + 1
            let backoff = delivery.policy.backoff(afterAttempt: attempt)
            let gap = earlier.at.duration(to: later.at)
            #expect(gap >= backoff, "attempt \(attempt + 1) came \(gap) after attempt \(attempt), before the backoff \(backoff)")
            #expect(
                gap <= backoff * 1.5 + .seconds(1),  // jitter, and the 1 s steps of the test
                "attempt \(attempt + 1) came \(gap) after attempt \(attempt), later than the backoff \(backoff) allows")
        }
    }

    @Test("Retry-After: 10 holds the next attempt back 10 s although callbacks keep arriving")
    func retryAfterIsObeyed() async throws {
        var delivery = SimulatedDelivery { number, _ in
            number == 1 ? SinkDeliveryError("HTTP 503", retryAfter: .seconds(10)) : nil
        }
        try await delivery.running { delivery in
            for _ in 0..<30 {
                try await delivery.receiveCallback()
                guard await delivery.settle() else {
                    Issue.record("the dispatcher did not come to rest at \(delivery.elapsed)")
                    return
                }
                delivery.clock.advance(by: .seconds(1))
            }
        }
        let attempts = delivery.sink.attempts
        try #require(attempts.count >= 2)
        #expect(attempts[0].failed && !attempts[1].failed)
        let gap = attempts[0].at.duration(to: attempts[1].at)
        #expect(gap >= .seconds(10), "the retry came \(gap) after a Retry-After of 10 s")
        #expect(gap <= .seconds(11))
        #expect(delivery.sink.takenOnce == delivery.recorded)
        #expect(await delivery.outbox.deadLetterCount(of: "webhook") == 0)
    }

    @Test("a permanent refusal is a dead letter at once, dated by the dispatcher's clock")
    func permanentRefusal() async throws {
        var delivery = SimulatedDelivery { _, _ in SinkDeliveryError("HTTP 400", isPermanent: true) }
        try await delivery.running { delivery in
            for _ in 0..<3 { try await delivery.receiveCallback() }
            let outbox = delivery.outbox
            #expect(await delivery.settle { await outbox.deadLetterCount(of: "webhook") == 3 })
        }
        #expect(delivery.sink.attempts.count == 1)
        #expect(delivery.elapsed == .zero, "no time had to pass")
        let letters = await delivery.outbox.deadLetters(of: "webhook", limit: 10)
        #expect(letters.map(\.change.id) == delivery.recorded)
        #expect(letters.allSatisfy { $0.reason == "HTTP 400" && $0.failedAt == CallbackFixtures.time(0) })
    }

    @Test("a batch that keeps failing is retried for 24 hours, and is a dead letter at its first failure after")
    func maximumAge() async throws {
        var delivery = SimulatedDelivery { _, _ in SinkDeliveryError("connection refused") }
        try await delivery.running { delivery in
            try await delivery.receiveCallback()
            #expect(await delivery.settle())
            let outbox = delivery.outbox
            for hour in 1...24 {
                delivery.clock.advance(by: .seconds(3600))
                guard await delivery.settle() else {
                    Issue.record("the dispatcher did not come to rest at \(delivery.elapsed)")
                    return
                }
                #expect(await outbox.deadLetterCount(of: "webhook") == 0, "a dead letter after \(hour) h")
            }
            let attemptsWithin24Hours = delivery.sink.attempts.count
            #expect(attemptsWithin24Hours >= 24, "at least one attempt an hour")
            delivery.clock.advance(by: .seconds(3600))
            #expect(await delivery.settle { await outbox.deadLetterCount(of: "webhook") == 1 })
            #expect(delivery.sink.attempts.count == attemptsWithin24Hours + 1, "buried at its first failure past 24 h")
            let letter = await outbox.deadLetters(of: "webhook", limit: 10).first
            #expect(letter?.reason == "connection refused")
            #expect(letter?.failedAt == CallbackFixtures.time(25 * 3600))
        }
        #expect(await delivery.outbox.cursor(of: "webhook") == 1, "the sink went on")
    }
}
