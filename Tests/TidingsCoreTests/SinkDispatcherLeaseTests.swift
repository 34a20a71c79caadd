import Foundation
import Logging
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// Several dispatchers — one per Tidings instance — on one outbox: each sink is fed by one
/// of them at a time, and another takes over when it stops.
@Suite("SinkDispatcher: one instance feeds each sink")
struct SinkDispatcherLeaseTests {
    static let policy: DeliveryPolicy = {
        var policy = SinkDispatcherTests.fast
        policy.leaseDuration = .seconds(5)
        policy.leaseRetryInterval = .milliseconds(20)
        return policy
    }()

    let tests = SinkDispatcherTests()

    func dispatcher(_ instance: String, on store: InMemoryStatusStore, sink: ScriptedSink) -> SinkDispatcher {
        SinkDispatcher(
            outbox: store, routes: [SinkRoute(sink: sink)], policy: Self.policy,
            logger: Logger(label: "test"), instance: instance)
    }

    @Test("three instances deliver every change once, not once each")
    func everyChangeOnce() async throws {
        let store = InMemoryStatusStore()
        let sinks = (1...3).map { _ in ScriptedSink(name: "webhook") }
        let dispatchers = sinks.enumerated().map { dispatcher("instance-\($0.offset)", on: store, sink: $0.element) }
        for dispatcher in dispatchers { try await dispatcher.registerSinks() }
        let tasks = dispatchers.map { dispatcher in Task { try await dispatcher.run() } }

        let ids = try await tests.store(60, in: store)
        for dispatcher in dispatchers { dispatcher.notify() }
        #expect(try await eventually { sinks.flatMap(\.ids).count >= ids.count })
        // Once every instance has stopped nothing more can arrive: what the sinks hold is all.
        for dispatcher in dispatchers { dispatcher.finish() }
        for task in tasks { try await task.value }

        let delivered = sinks.flatMap(\.ids)
        #expect(delivered.sorted() == ids.sorted(), "each change exactly once across the instances")
        #expect(sinks.filter { !$0.ids.isEmpty }.count == 1, "one instance fed the sink")
    }

    /// The lease outlasts the test, so the second instance can only take over because the
    /// first one gave the lease up as it stopped.
    @Test("when the feeding instance stops, another takes the sink over")
    func takeover() async throws {
        let store = InMemoryStatusStore()
        let first = ScriptedSink(name: "webhook")
        let second = ScriptedSink(name: "webhook")
        let feeding = dispatcher("first", on: store, sink: first)
        try await feeding.registerSinks()
        let feedingTask = Task { try await feeding.run() }
        let early = try await tests.store(5, in: store)
        feeding.notify()
        #expect(try await eventually { first.ids.count == early.count })

        let standingBy = dispatcher("second", on: store, sink: second)
        let standingByTask = Task { try await standingBy.run() }
        #expect(try await store.acquireLease(of: "webhook", for: "someone-else", duration: .seconds(1)) == false)

        feeding.finish()
        try await feedingTask.value
        let late = try await tests.store(5, in: store, from: 100)
        standingBy.notify()
        #expect(try await eventually { second.ids.count == late.count })
        #expect(second.ids == late, "the second instance went on from the shared cursor")
        #expect(first.ids == early)
        standingBy.finish()
        try await standingByTask.value
    }
    @Test("a lease the store cannot renew is said to be so, not to be another instance's")
    func aLeaseTheStoreCannotRenew() async throws {
        let store = InMemoryStatusStore()
        let outbox = CountingOutbox(store)
        let log = CapturedLog()
        var policy = Self.policy
        policy.leaseDuration = .milliseconds(200)
        let dispatcher = SinkDispatcher(
            outbox: outbox, routes: [SinkRoute(sink: ScriptedSink(name: "webhook"))], policy: policy,
            logger: log.logger(), instance: "only")
        try await dispatcher.registerSinks()
        let running = Task { try await dispatcher.run() }
        let news = { log.text.filter { $0.contains("the sink") } }
        #expect(try await eventually { news().count == 1 })

        outbox.leasesFail.store(true, ordering: .relaxed)
        #expect(try await eventually { news().count == 2 })
        outbox.leasesFail.store(false, ordering: .relaxed)
        #expect(try await eventually { news().count == 3 })
        #expect(news().map { $0.components(separatedBy: " instance=").first ?? "" } == [
            "info this instance now feeds the sink",
            "info this instance stops feeding the sink until the store renews its lease",
            "info this instance now feeds the sink",
        ])
        dispatcher.finish()
        try await running.value
    }
}

