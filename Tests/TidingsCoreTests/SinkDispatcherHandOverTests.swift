import Foundation
import Logging
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// Changes travel in memory first: a commit's changes reach the sinks without being read
/// back from the outbox, which is read only to catch up, and cursors are written once per
/// interval instead of after every batch. Time is a manual clock that only the tests move
/// (a second per step, as DeliveryPolicy's poll and cursor intervals), so no poll or cursor
/// write happens unless a test says so. Sinks take changes as they come (no gather
/// window) except in the tests of the gather window itself.
@Suite("SinkDispatcher: changes travel in memory first")
struct SinkDispatcherHandOverTests {
    let clock = ManualClock()
    let store = InMemoryStatusStore()
    let outbox: CountingOutbox
    let sink = ScriptedSink(name: "sink")

    init() {
        outbox = CountingOutbox(store)
    }

    func dispatcher(
        batchSize: Int = 100, gatherWindow: Duration = .zero, instance: String = "only",
        sink: ScriptedSink? = nil
    ) -> SinkDispatcher {
        var policy = DeliveryPolicy()
        policy.batchSize = batchSize
        policy.gatherWindow = gatherWindow
        return SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: sink ?? self.sink)], policy: policy, logger: Logger(label: "test"),
            instance: instance, clock: ServiceClock(clock, wallTimeAtStart: CallbackFixtures.time(0)))
    }

    /// Moves the clock on a second at a time until `condition` holds (20 s of real time at
    /// most): a wait that starts just as the clock moves then misses one step, not all.
    func advancingTheClock(until condition: () async throws -> Bool) async throws -> Bool {
        try await eventually {
            clock.advance(by: .seconds(1))
            return try await condition()
        }
    }

    /// Stores `count` callbacks, one message each, numbered from `first`; returns their change ids.
    func record(_ count: Int, from first: Int) async throws -> [String] {
        var ids: [String] = []
        for number in first..<(first + count) {
            let outcome = try await store.record(
                try CallbackFixtures.callback(sid: CallbackFixtures.sid(number), status: "sent"),
                receivedAt: CallbackFixtures.time(0))
            ids.append(try #require(outcome.change).id)
        }
        return ids
    }

    @Test("a commit's changes reach the sink from memory; the outbox is read once, to catch up at the start")
    func changesTravelInMemory() async throws {
        let dispatcher = dispatcher()
        store.observeChanges { dispatcher.accept($0) }
        try await dispatcher.registerSinks()
        let running = Task { try await dispatcher.run() }
        let ids = try await record(40, from: 0)
        #expect(try await eventually { sink.ids == ids })
        dispatcher.finish()
        try await running.value
        #expect(outbox.changeReads == 1, "read back \(outbox.changeReads) times")
        #expect(await store.cursor(of: "sink") == 40)
    }

    /// Runs a dispatcher with the default gather window, the store handing it every commit,
    /// waits until its sink is caught up and idle, records one change, and returns once the
    /// loop sleeps the gather window for more: with the dispatcher's task and that change.
    func gatheringAfterOneChange(batchSize: Int) async throws -> (SinkDispatcher, Task<Void, any Error>, first: [String]) {
        let dispatcher = dispatcher(batchSize: batchSize, gatherWindow: DeliveryPolicy().gatherWindow)
        store.observeChanges { dispatcher.accept($0) }
        try await dispatcher.registerSinks()
        let running = Task { try await dispatcher.run() }
        // Caught up and idle: the ticker and the pruner sleep on the clock, the loop waits
        // for a signal.
        #expect(try await eventually { outbox.changeReads == 1 && clock.sleepers == 2 })
        let first = try await record(1, from: 0)
        // The loop woke for it and now sleeps the gather window on the clock too.
        #expect(try await eventually { clock.sleepers == 3 })
        return (dispatcher, running, first)
    }

    @Test("an idle sink waits the gather window for more changes, then takes them in one batch")
    func anIdleSinkGathersABatch() async throws {
        let (dispatcher, running, first) = try await gatheringAfterOneChange(batchSize: 100)
        let more = try await record(2, from: 10)
        #expect(sink.attempts == 0)

        clock.advance(by: DeliveryPolicy().gatherWindow)
        #expect(try await eventually { sink.ids == first + more })
        #expect(sink.attempts == 1)
        dispatcher.finish()
        try await running.value
    }

    @Test("changes a gather window still waits on reach the sink when the dispatcher finishes")
    func finishingDeliversWhatIsGathered() async throws {
        let (dispatcher, running, first) = try await gatheringAfterOneChange(batchSize: 100)
        let more = try await record(2, from: 10)
        dispatcher.finish()
        try await running.value
        #expect(sink.ids == first + more)
        #expect(await store.cursor(of: "sink") == 3)
    }

    @Test("a failing sink is not asked again when the dispatcher finishes; what it did not take stays in the outbox")
    func finishingSkipsAFailingSink() async throws {
        let sink = ScriptedSink(name: "sink")
        sink.failForever(with: SinkDeliveryError("connection refused"))
        let dispatcher = dispatcher(sink: sink)
        try await dispatcher.registerSinks()
        _ = try await record(1, from: 0)
        let running = Task { try await dispatcher.run() }
        // Read from the outbox, failed once, and now pauses before retrying: the ticker, the
        // pruner and the pause sleep on the clock.
        #expect(try await eventually { sink.attempts == 1 && clock.sleepers == 3 })
        #expect(outbox.changeReads == 1)
        // Two more commits, announced late together with the first one: memory now holds
        // the changes right after the cursor, as when an announcement trails the loop's read.
        _ = try await record(2, from: 10)
        dispatcher.accept(await store.changes(after: 0, limit: 10))
        dispatcher.finish()
        try await running.value
        #expect(sink.attempts == 1, "a stop waits for no sink that is down")
        #expect(await store.cursor(of: "sink") == 0)
        #expect(await store.changes(after: 0, limit: 10).count == 3)
    }

    @Test("a whole batch handed over ends the gather window at once")
    func aFullBatchIsTakenAtOnce() async throws {
        let (dispatcher, running, first) = try await gatheringAfterOneChange(batchSize: 5)
        // Four more make a batch of five: taken without the clock moving.
        let more = try await record(4, from: 10)
        #expect(try await eventually { sink.ids == first + more })
        #expect(sink.attempts == 1)
        dispatcher.finish()
        try await running.value
    }

    @Test("delivered batches write the cursor once per interval, and once more when the dispatcher stops")
    func cursorWritesAreCoalesced() async throws {
        let dispatcher = dispatcher(batchSize: 5)
        store.observeChanges { dispatcher.accept($0) }
        try await dispatcher.registerSinks()
        let running = Task { try await dispatcher.run() }
        let first = try await record(40, from: 0)
        #expect(try await eventually { sink.ids == first })
        // Eight batches or more, one write: the first batch's, at once.
        #expect(outbox.cursorWrites == 1)
        #expect(await store.cursor(of: "sink") < 40)

        // The write falls due a second after the first, however late the loop starts waiting.
        clock.advance(by: DeliveryPolicy().cursorSaveInterval)
        #expect(try await eventually { await store.cursor(of: "sink") == 40 })
        #expect(outbox.cursorWrites == 2)

        let second = try await record(5, from: 100)
        #expect(try await eventually { sink.ids == first + second })
        dispatcher.finish()
        try await running.value
        #expect(await store.cursor(of: "sink") == 45)
        #expect(outbox.cursorWrites == 3)
    }

    @Test("changes memory never saw (another instance's) are read from the outbox, each once, in order")
    func gapsAreFilledFromTheOutbox() async throws {
        let dispatcher = dispatcher()
        try await dispatcher.registerSinks()
        let running = Task { try await dispatcher.run() }
        // Handed over: 1–2; stored elsewhere, never handed over: 3–4; handed over: 5.
        let handedOver = try await record(2, from: 0)
        dispatcher.accept(await store.changes(after: 0, limit: 2))
        let elsewhere = try await record(2, from: 10)
        let last = try await record(1, from: 20)
        dispatcher.accept(await store.changes(after: 4, limit: 1))
        #expect(try await eventually { sink.ids.count >= 5 })
        dispatcher.finish()
        try await running.value
        #expect(sink.ids == handedOver + elsewhere + last)
    }

    @Test("a replay asked of another instance reaches the instance that feeds the sink within a poll interval")
    func aReplayOnAnotherInstanceIsSeen() async throws {
        let feeding = dispatcher(instance: "feeding")
        store.observeChanges { feeding.accept($0) }
        try await feeding.registerSinks()
        let running = Task { try await feeding.run() }
        let ids = try await record(5, from: 0)
        #expect(try await eventually { await store.cursor(of: "sink") == 5 })

        try await dispatcher(instance: "other", sink: ScriptedSink(name: "sink")).replay("sink", after: 0)
        #expect(try await advancingTheClock { sink.ids == ids + ids })
        feeding.finish()
        try await running.value
    }
}
