import GRDB
import TidingsCore

extension Database {
    /// Hands `changes` to `observers` when the current transaction commits (on the writer's
    /// queue, so in the order transactions commit); drops them if it rolls back.
    func publishAfterCommit(_ changes: [StatusChange], to observers: ChangeObservers) {
        guard !changes.isEmpty else { return }
        afterNextTransaction { _ in observers.publish(changes) }
    }
}
