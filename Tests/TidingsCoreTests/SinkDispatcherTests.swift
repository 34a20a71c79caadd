import Foundation
import Logging
import Synchronization
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// A sink that fails as told, and remembers what it took.
final class ScriptedSink: EventSink {
    let name: String
    /// Failures to throw, one per call, before succeeding.
    private let script: Mutex<[any Error]>
    private let taken = Mutex<[StatusChange]>([])
    private let calls = Atomic<Int>(0)

    init(name: String, failures: [any Error] = []) {
        self.name = name
        self.script = Mutex(failures)
    }

    func deliver(_ batch: [StatusChange]) throws {
        calls.add(1, ordering: .relaxed)
        if let failure = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        taken.withLock { $0 += batch }
    }

    /// Fails every call from now on with `error`.
    func failForever(with error: any Error) {
        script.withLock { $0 = Array(repeating: error, count: 1_000_000) }
    }

    func recover() {
        script.withLock { $0 = [] }
    }

    var ids: [String] { taken.withLock { $0.map(\.id) } }
    var attempts: Int { calls.load(ordering: .relaxed) }
}

@Suite("SinkDispatcher: outbox to sinks, at least once")
struct SinkDispatcherTests {
    static let fast: DeliveryPolicy = {
        var policy = DeliveryPolicy()
        policy.initialBackoff = .milliseconds(1)
        policy.maximumBackoff = .milliseconds(5)
        policy.pollInterval = .milliseconds(10)
        policy.batchSize = 7
        return policy
    }()

    /// Stores `count` callbacks (one message each) and returns their change ids.
    func store(
        _ count: Int, in store: InMemoryStatusStore, from first: Int = 0, status: String = "sent",
        receivedAt: Date = Date()
    ) async throws -> [String] {
        var ids: [String] = []
        for number in first..<(first + count) {
            let outcome = try await store.record(
                try CallbackFixtures.callback(sid: CallbackFixtures.sid(number), status: status),
                receivedAt: receivedAt)
            ids.append(outcome.change!.id)
        }
        return ids
    }

    /// Runs `dispatcher` while `body` runs, then finishes it.
    func running(_ dispatcher: SinkDispatcher, _ body: () async throws -> Void) async throws {
        let task = Task { try await dispatcher.run() }
        try await body()
        dispatcher.finish()
        try await task.value
    }


    @Test func everySinkGetsEveryChangeInOrderAndTheCursorsFollow() async throws {
        let outbox = InMemoryStatusStore()
        let first = ScriptedSink(name: "first"), second = ScriptedSink(name: "second")
        let dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: first), SinkRoute(sink: second)], policy: Self.fast,
            logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        let ids = try await store(30, in: outbox)
        try await running(dispatcher) { () async throws in
            dispatcher.notify()
            #expect(try await eventually { first.ids.count == 30 && second.ids.count == 30 })
        }
        #expect(first.ids == ids)
        #expect(second.ids == ids)
        #expect(await outbox.cursor(of: "first") == 30)
    }

    @Test func aFailingSinkHoldsUpNeitherTheOtherSinkNorItsOwnRecovery() async throws {
        let outbox = InMemoryStatusStore()
        let healthy = ScriptedSink(name: "healthy"), flaky = ScriptedSink(name: "flaky")
        flaky.failForever(with: SinkDeliveryError("HTTP 503"))
        let dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: healthy), SinkRoute(sink: flaky)], policy: Self.fast,
            logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        let ids = try await store(20, in: outbox)
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { healthy.ids.count == 20 })
            #expect(flaky.ids.isEmpty)
            #expect(try await eventually { try await dispatcher.status().first { $0.name == "flaky" }?.lastError != nil })
            let lagging = try await dispatcher.status().first { $0.name == "flaky" }
            #expect(lagging?.lagEvents == 20)
            #expect(lagging?.lastError == "HTTP 503")
            flaky.recover()
            #expect(try await eventually { flaky.ids.count == 20 })
        }
        #expect(flaky.ids == ids)
        #expect(try await dispatcher.status().first { $0.name == "flaky" }?.lastError == nil)
    }

    /// Retried until ``DeliveryPolicy/maximumAge`` (SinkOutageTests steps through the 24
    /// hours on a manual clock); here the first batch is already that old when it fails.
    @Test func aBatchThatKeepsFailingPastTheAgeLimitGoesToTheDeadLettersAndCanBeReplayed() async throws {
        let outbox = InMemoryStatusStore()
        let sink = ScriptedSink(name: "webhook", failures: Array(repeating: SinkDeliveryError("HTTP 500"), count: 2))
        let dispatcher = SinkDispatcher(outbox: outbox, routes: [SinkRoute(sink: sink)], policy: Self.fast, logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        let old = try await store(7, in: outbox, receivedAt: Date() - 25 * 3600)
        let fresh = try await store(3, in: outbox, from: 7)
        try await running(dispatcher) { () async throws in
            // The first batch (7, a day old) is buried at its first failure; the next 3,
            // fresh, fail once, are retried and go through.
            #expect(try await eventually { sink.ids.count == 3 })
            #expect(await outbox.deadLetterCount(of: "webhook") == 7)
            #expect(sink.attempts == 3)
            #expect(try await dispatcher.replayDeadLetters(of: "webhook") == 7)
        }
        #expect(sink.ids == fresh + old)
        #expect(await outbox.deadLetterCount(of: "webhook") == 0)
    }

    @Test func aPermanentRefusalIsBuriedAtOnce() async throws {
        let outbox = InMemoryStatusStore()
        let sink = ScriptedSink(name: "webhook", failures: [SinkDeliveryError("HTTP 400", isPermanent: true)])
        let dispatcher = SinkDispatcher(outbox: outbox, routes: [SinkRoute(sink: sink)], policy: Self.fast, logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        _ = try await store(3, in: outbox)
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { await outbox.deadLetterCount(of: "webhook") == 3 })
        }
        #expect(sink.attempts == 1)
        let letters = await outbox.deadLetters(of: "webhook", limit: 10)
        #expect(letters.first?.reason == "HTTP 400")
    }

    @Test func aFilteredSinkSeesOnlyWhatItAskedForButItsCursorMovesPastTheRest() async throws {
        let outbox = InMemoryStatusStore()
        let sink = ScriptedSink(name: "errors")
        let dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: sink, filter: SinkFilter(onlyErrors: true))], policy: Self.fast,
            logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        _ = try await store(5, in: outbox, status: "delivered")
        let failed = try await store(2, in: outbox, from: 100, status: "undelivered")
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { await outbox.cursor(of: "errors") == 7 })
        }
        #expect(sink.ids == failed)
    }

    @Test func finishingStopsARetryingSinkWithoutLosingItsChanges() async throws {
        let outbox = InMemoryStatusStore()
        let sink = ScriptedSink(name: "down")
        sink.failForever(with: SinkDeliveryError("connection refused"))
        let dispatcher = SinkDispatcher(outbox: outbox, routes: [SinkRoute(sink: sink)], policy: Self.fast, logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        _ = try await store(4, in: outbox)
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { sink.attempts >= 3 })
        }
        #expect(await outbox.cursor(of: "down") == 0)
        #expect(await outbox.deadLetterCount(of: "down") == 0)
    }

    @Test func aNewSinkStartsWithWhatIsStoredFromNowOn() async throws {
        let outbox = InMemoryStatusStore()
        _ = try await store(5, in: outbox)
        let late = ScriptedSink(name: "late")
        let dispatcher = SinkDispatcher(outbox: outbox, routes: [SinkRoute(sink: late)], policy: Self.fast, logger: Logger(label: "test"))
        try await dispatcher.registerSinks()
        let fresh = try await store(2, in: outbox, from: 50)
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { late.ids.count == 2 })
            try await dispatcher.replay("late", after: 0)
            #expect(try await eventually { late.ids.count == 9 })
        }
        #expect(Array(late.ids.prefix(2)) == fresh)
    }

    @Test func deliveredChangesArePruned() async throws {
        let outbox = InMemoryStatusStore()
        let sink = ScriptedSink(name: "only")
        let dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: sink)], policy: Self.fast, logger: Logger(label: "test"),
            pruneInterval: .milliseconds(20), outboxRetention: .zero)
        try await dispatcher.registerSinks()
        _ = try await store(12, in: outbox)
        try await running(dispatcher) { () async throws in
            #expect(try await eventually { await outbox.changes(after: 0, limit: 100).isEmpty })
        }
        #expect(sink.ids.count == 12)
        #expect(await outbox.latestSeq() == 12)
    }

    @Test func theBackoffDoublesUpToItsCeiling() {
        var policy = DeliveryPolicy()
        policy.initialBackoff = .seconds(1)
        policy.maximumBackoff = .seconds(10)
        #expect((1...6).map { policy.backoff(afterAttempt: $0) } == [1, 2, 4, 8, 10, 10].map { .seconds($0) })
    }
}
