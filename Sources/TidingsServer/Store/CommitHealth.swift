import Foundation
import Synchronization

/// Remembers when the store last failed to commit a callback, so that `/readyz` tells
/// the load balancer to send callbacks elsewhere while this instance cannot keep them (a
/// full disk, a read-only file system) even though the store still answers reads.
///
/// A failure counts for ``window`` after it happened; then the instance is offered
/// traffic again, and the next failure (if the cause remains) takes it out once more.
/// Without that, an instance that gets no traffic because it is not ready could never
/// learn that it can commit again.
final class CommitHealth: Sendable {
    /// How long one failed commit keeps `/readyz` at `503`.
    let window: TimeInterval
    private let now: @Sendable () -> Date
    private let lastFailure = Mutex<Date?>(nil)

    init(window: TimeInterval = 30, now: @escaping @Sendable () -> Date = Date.init) {
        self.window = window
        self.now = now
    }

    /// A callback was committed: any earlier failure is over.
    func committed() {
        lastFailure.withLock { $0 = nil }
    }

    /// A commit failed.
    func failed() {
        let time = now()
        lastFailure.withLock { $0 = time }
    }

    /// When the last failure happened, if it happened within ``window``.
    var recentFailure: Date? {
        let time = now()
        return lastFailure.withLock { failure in
            failure.flatMap { time.timeIntervalSince($0) < window ? $0 : nil }
        }
    }
}
