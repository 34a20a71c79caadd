import Foundation
import Synchronization

/// Tells any number of waiting readers (live event streams) that new changes were stored.
///
/// A reader re-reads the outbox after every wake-up and waits with a timeout, so a signal
/// that arrives while it is reading costs at most that timeout, never a change.
public final class ChangeNotifier: Sendable {
    private let waiters = Mutex<[UUID: WakeUpSignal]>([:])

    public init() {}

    /// Wakes every reader now waiting.
    public func notifyAll() {
        for waiter in waiters.withLock({ Array($0.values) }) { waiter.signal() }
    }

    /// Returns on the next ``notifyAll()``, after `timeout`, or on cancellation.
    public func wait(upTo timeout: Duration) async {
        let id = UUID()
        let signal = WakeUpSignal()
        waiters.withLock { $0[id] = signal }
        defer { _ = waiters.withLock { $0.removeValue(forKey: id) } }
        await signal.wait(upTo: timeout)
    }
}
