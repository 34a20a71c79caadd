import Synchronization
import TidingsCore

/// When an operation must have answered, and the clock that times it: the store's
/// (``TidingsCore/ServiceClock``), so that tests step through deadlines instead of waiting.
struct Deadline: Sendable {
    /// The instant by which the caller is answered.
    let instant: ServiceClock.Instant
    /// The clock `instant` belongs to.
    let clock: ServiceClock

    /// `timeout` from now.
    static func after(_ timeout: Duration, on clock: ServiceClock) -> Deadline {
        Deadline(instant: clock.now.advanced(by: timeout), clock: clock)
    }
}

/// Runs `body` and fails with ``DeadlineExceeded`` once `deadline` has come, cancelling it.
///
/// postgres-nio waits as long as it takes to get a connection (it keeps retrying a server
/// that is down), and a statement on a connection the server stopped answering waits until
/// the server answers or TCP gives up, minutes later, whether or not its task is cancelled.
/// A callback must rather get a `503` that Twilio retries, and `serve` a start-up error that
/// says what is wrong: so the caller is answered at the deadline, and `body` ends in the
/// background whenever it can.
///
/// - Parameter onTimeout: called when the deadline wins, before the caller is answered.
func withDeadline<Result: Sendable>(
    _ deadline: Deadline, onTimeout: @escaping @Sendable () -> Void = {},
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let race = DeadlineRace<Result>()
    let work = Task {
        do {
            race.finish(.success(try await body()))
        } catch {
            race.finish(.failure(error))
        }
    }
    let timer = Task {
        guard (try? await deadline.clock.sleep(until: deadline.instant)) != nil else { return }
        race.finish(.failure(DeadlineExceeded()), before: onTimeout)
    }
    race.cancelWhenFinished([work, timer])
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { race.wait(with: $0) }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// An operation that did not finish in time.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var description: String { "the database did not answer in time" }
}

/// The first of `body`'s outcome, the deadline and the caller's cancellation: it resumes the
/// caller and cancels the tasks still running.
private final class DeadlineRace<Result: Sendable>: Sendable {
    private struct State {
        var outcome: Swift.Result<Result, any Error>?
        var caller: CheckedContinuation<Result, any Error>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Resumes `caller` with the outcome, now if there is one already.
    func wait(with caller: CheckedContinuation<Result, any Error>) {
        let outcome = state.withLock { state in
            if state.outcome == nil { state.caller = caller }
            return state.outcome
        }
        if let outcome { caller.resume(with: outcome) }
    }

    /// Cancels `tasks` once there is an outcome, now if there is one already.
    func cancelWhenFinished(_ tasks: [Task<Void, Never>]) {
        let isFinished = state.withLock { state in
            if state.outcome == nil { state.tasks = tasks }
            return state.outcome != nil
        }
        if isFinished { tasks.forEach { $0.cancel() } }
    }

    /// Settles the race with `outcome` unless it is settled already; `winning` runs first
    /// when it does.
    func finish(_ outcome: Swift.Result<Result, any Error>, before winning: () -> Void = {}) {
        let (won, caller, tasks) = state.withLock { state -> (Bool, CheckedContinuation<Result, any Error>?, [Task<Void, Never>]) in
            guard state.outcome == nil else { return (false, nil, []) }
            state.outcome = outcome
            defer { (state.caller, state.tasks) = (nil, []) }
            return (true, state.caller, state.tasks)
        }
        guard won else { return }
        winning()
        caller?.resume(with: outcome)
        tasks.forEach { $0.cancel() }
    }
}
