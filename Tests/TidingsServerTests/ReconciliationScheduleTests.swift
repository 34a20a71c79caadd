import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TidingsCore
@testable import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// Reconciliation on its own: one pass at a time in a process and across instances (the
/// pass lease), one instance on the schedule (the schedule lease), the sweep once per its
/// window, and the metrics — on a manual clock.
@Suite("Reconciliation: one pass at a time, and the schedule")
struct ReconciliationScheduleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let updated = "Fri, 15 Jan 2027 08:00:00 +0000"

    func sid(_ number: Int) -> String { CallbackFixtures.sid(0x5c00 + number) }

    /// The passes of instance `instance` on `store`, asking `api`, waiting with `sleep`.
    func passes(
        _ instance: String, _ store: InMemoryStatusStore, _ api: FakeMessagesAPI, metrics: TidingsMetrics = TidingsMetrics(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { _ in }
    ) -> ReconciliationPasses {
        var reconciler = Reconciler(
            store: store,
            client: TwilioMessagesClient(baseURL: api.baseURL, credentials: .accountAuthToken("token-1"), client: .shared),
            quietFor: 1_800, rate: 5, sweptAccounts: [CallbackFixtures.accountSid], logger: Logger(label: "test"))
        reconciler.sleep = sleep
        return ReconciliationPasses(reconciler: reconciler, leases: store, instance: instance, metrics: metrics, logger: Logger(label: "test"))
    }

    /// Holds every waiter until opened.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state in
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
        }

        func open() {
            for waiter in state.withLock({ state in state.open = true; return state.waiters }) { waiter.resume() }
        }
    }

    @Test func aSecondPassWaitsForTheFirstHereAndOnAnotherInstance() async throws {
        let store = InMemoryStatusStore()
        for number in 0..<2 {
            _ = try await store.record(try CallbackFixtures.callback(sid: sid(number), status: "sent"), receivedAt: start)
        }
        try await FakeMessagesAPI.with(answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) }) { api in
            let gate = Gate()
            let here = passes("a", store, api, sleep: { _ in await gate.wait() })
            let other = passes("b", store, api)
            let first = Task { try await here.run(now: start.addingTimeInterval(3_600), sweep: nil) }
            // The first pass asked about one message and waits before the next.
            #expect(try await eventually { api.requests.count == 1 })
            #expect(try await here.run(now: start.addingTimeInterval(3_600), sweep: nil) == .busy)
            #expect(try await other.run(now: start.addingTimeInterval(3_600), sweep: nil) == .busy, "the pass lease is held")
            gate.open()
            guard case .ran(let summary) = try await first.value else { Issue.record("the first pass did not run"); return }
            #expect(summary.checked == 2 && summary.changed == 2)
            #expect(try await other.run(now: start.addingTimeInterval(3_600), sweep: nil) == .ran(ReconcileSummary()), "the lease was given back")
        }
    }

    @Test func oneInstanceRunsTheScheduleAndSweepsOncePerWindow() async throws {
        let manual = ManualClock()
        let clock = ServiceClock(manual, wallTimeAtStart: start)
        let store = InMemoryStatusStore(clock: clock)
        let metrics = TidingsMetrics()
        try await FakeMessagesAPI.with(
            answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) },
            list: { _ in .page([FakeMessagesAPI.Answer.messageJSON(sid(9), "delivered", updated: Self.updated)], next: nil) }
        ) { api in
            let a = ReconciliationService(
                passes: passes("a", store, api, metrics: metrics), every: 600, sweep: 3_600, logger: Logger(label: "test"), clock: clock)
            let b = ReconciliationService(
                passes: passes("b", store, api, metrics: metrics), every: 600, sweep: 3_600, logger: Logger(label: "test"), clock: clock)
            let running = [Task { try await a.run() }, Task { try await b.run() }]
            defer { running.forEach { $0.cancel() } }

            // Nothing runs at the start; one interval later, one of the two passes and sweeps.
            #expect(try await eventually { manual.sleepers == 2 })
            #expect(api.requests.isEmpty)
            manual.advance(by: .seconds(600))
            #expect(try await eventually { manual.sleepers == 2 && api.requests.count == 1 })
            let firstList = try #require(api.requests.first)
            #expect(firstList.sid.isEmpty, "the first scheduled pass sweeps")
            let since = start.addingTimeInterval(600 - 3_600 - 600).formatted(.iso8601)
            #expect(firstList.query.hasPrefix("DateSent%3E=\(since.replacingOccurrences(of: ":", with: "%3A"))"), "the window plus an interval")
            #expect(try await store.message(sid: sid(9))?.history.map(\.source) == [.api])

            // The next intervals: one pass each, not two; the sweep only once its hour is up.
            for _ in 0..<6 {
                manual.advance(by: .seconds(600))
                #expect(try await eventually { manual.sleepers == 2 })
            }
            #expect(api.requests.filter { $0.sid.isEmpty }.count == 2, "swept at 10 minutes and at 70")
            let rendered = metrics.render()
            #expect(rendered.contains(#"tidings_reconcile_passes_total{outcome="completed"} 7"#), "\(rendered)")
            #expect(rendered.contains(#"tidings_reconcile_messages_total{result="discovered"} 1"#))
        }
    }

    /// A sweep that did not complete is tried again at the next turn, not a period later.
    @Test func refusedCredentialsAreCountedAndTheScheduleGoesOnSweepingAgain() async throws {
        let manual = ManualClock()
        let clock = ServiceClock(manual, wallTimeAtStart: start)
        let store = InMemoryStatusStore(clock: clock)
        _ = try await store.record(try CallbackFixtures.callback(sid: sid(0), status: "sent"), receivedAt: start)
        let metrics = TidingsMetrics()
        try await FakeMessagesAPI.with(answer: { _, _ in .init(status: 401) }, list: { _ in .init(status: 401) }) { api throws in
            let service = ReconciliationService(
                passes: passes("a", store, api, metrics: metrics), every: 3_600, sweep: 86_400, logger: Logger(label: "test"), clock: clock)
            let running = Task { try await service.run() }
            defer { running.cancel() }
            for pass in 1...2 {
                #expect(try await eventually { manual.sleepers == 1 })
                manual.advance(by: .seconds(3_600))
                #expect(try await eventually { api.requests.count == pass })
            }
            #expect(api.requests.allSatisfy { $0.sid.isEmpty }, "both turns began with the sweep, and stopped there")
            #expect(try await eventually { metrics.render().contains(#"tidings_reconcile_passes_total{outcome="refused"} 2"#) })
        }
    }

    @Test(.timeLimit(.minutes(1))) func aGracefulShutdownStopsAPassUnderWayAndGivesItsLeaseBack() async throws {
        let manual = ManualClock()
        let clock = ServiceClock(manual, wallTimeAtStart: start)
        let store = InMemoryStatusStore(clock: clock)
        for number in 0..<2 {
            _ = try await store.record(try CallbackFixtures.callback(sid: sid(number), status: "sent"), receivedAt: start)
        }
        let metrics = TidingsMetrics()
        try await FakeMessagesAPI.with(answer: { asked, _ in .message(asked, "delivered", updated: Self.updated) }) { api in
            // The wait before the second message lasts until the pass is stopped.
            let passes = passes("a", store, api, metrics: metrics, sleep: { _ in try await Task.sleep(for: .seconds(3_600)) })
            let service = ReconciliationService(passes: passes, every: 3_600, sweep: nil, logger: Logger(label: "test"), clock: clock)
            let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await eventually { manual.sleepers == 1 })
                manual.advance(by: .seconds(3_600))
                #expect(try await eventually { api.requests.count == 1 }, "the pass asked about the first message")
                // The request is counted when the fake API receives it; the pass records the
                // answer after that, then waits. Stop it only once it is waiting.
                let first = try #require(api.requests.first?.sid)
                #expect(try await eventually { try await store.message(sid: first)?.status == .delivered }, "and waits")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(api.requests.count == 1, "the pass stopped where it was")
            let asked = try #require(api.requests.first?.sid)
            #expect(try await store.message(sid: asked)?.status == .delivered, "what it recorded stays")
            #expect(await store.acquireLease(of: ReconciliationPasses.passLease, for: "b", duration: .seconds(60)), "the pass lease was given back")
            #expect(!metrics.render().contains(#"tidings_reconcile_passes_total{outcome="failed"} 1"#), "a shutdown is no failure")
        }
    }
}
