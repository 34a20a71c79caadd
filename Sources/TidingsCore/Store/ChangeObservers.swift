import Synchronization

/// The observers of a store's commits (``StatusStore/observeChanges(_:)``): what every store
/// keeps to hand the changes it committed to the sinks and live streams in memory.
public final class ChangeObservers: Sendable {
    private let observers = Mutex<[@Sendable ([StatusChange]) -> Void]>([])

    public init() {}

    /// Adds `observer`; it is called for every later ``publish(_:)``.
    public func add(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Calls every observer with `changes`: those of one commit, in `seq` order, or none to
    /// say that changes were stored that must be read from the outbox. Call it after the
    /// commit, and for one store's commits in the order they committed.
    public func publish(_ changes: [StatusChange]) {
        for observer in observers.withLock({ $0 }) { observer(changes) }
    }
}
