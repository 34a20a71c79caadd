import Synchronization

/// Wakes one waiting task early: `signal()` ends the current (or next) `wait(upTo:)`.
///
/// Signals do not pile up — several before a wait count as one — which is what a loop
/// that re-reads its source after every wake-up needs.
final class WakeUpSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Whether a task is waiting for a signal now.
    var hasWaiter: Bool { state.withLock { $0.waiter != nil } }

    /// Wakes the waiting task, or the next one to wait.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after `timeout` by `clock`, on a signal, or when the task is cancelled,
    /// whichever is first; true when a signal (or the cancellation) ended it. On a signal,
    /// the sleep on `clock` is cancelled.
    @discardableResult
    func wait(upTo timeout: Duration, on clock: some Clock<Duration> = ContinuousClock()) async -> Bool {
        await wait(until: clock.now.advanced(by: timeout), on: clock)
    }

    /// Returns at `deadline` by `clock` (at once when it has passed), on a signal, or when
    /// the task is cancelled, whichever is first; true when a signal (or the cancellation)
    /// ended it.
    @discardableResult
    func wait<C: Clock<Duration>>(until deadline: C.Instant, on clock: C) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await clock.sleep(until: deadline, tolerance: nil)
                return false
            }
            group.addTask {
                await self.wait()
                return true
            }
            let signalled = await group.next() ?? true
            group.cancelAll()
            return signalled
        }
    }

    /// Returns on a signal, or when the task is cancelled: a wait that costs no timer, for
    /// a loop that something else wakes when time has passed.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
