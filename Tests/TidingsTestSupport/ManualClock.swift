import Synchronization
import TidingsCore

/// A clock that moves only when a test says so (``advance(by:)``), so a test steps through
/// minutes or days of waits in no real time instead of sleeping.
///
/// A sleep whose deadline has come returns at the ``advance(by:)`` that reaches it (or at
/// once when it has passed already); a sleep whose task is cancelled throws
/// `CancellationError` at once and stops counting as a sleeper. ``sleepers`` tells a test
/// how many tasks are waiting, so it can wait until the code under test has come to rest
/// before it steps again.
public final class ManualClock: Clock, Sendable {
    /// The same instants as the dispatcher's ``TidingsCore/ServiceClock``: a time since
    /// the clock was made.
    public typealias Instant = ServiceClock.Instant

    private struct Sleeper {
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var nextSleeper: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on the clock now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Task.isCancelled is set before the cancellation handler runs, and both
                // sides take the lock: a sleep is either never registered or resumed once.
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on by `duration` and wakes, earliest deadline first, every sleeper
    /// whose deadline is now reached. The woken are no longer counted in ``sleepers`` when
    /// this returns, although they may not have run yet.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}
