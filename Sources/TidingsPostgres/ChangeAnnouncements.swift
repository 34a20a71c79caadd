import Synchronization
import TidingsCore

/// Tells a store's observers of changes (``PostgresStatusStore/observeChanges(_:)``): this
/// instance's own commits with their changes, and other instances' commits — heard as
/// `NOTIFY`s — with none, so that the sinks read those from the outbox.
///
/// Every commit that adds changes sends a `NOTIFY` whose payload is its latest `seq`, and
/// this instance hears its own too. Those it announced already with their changes are
/// recognised by that `seq` and not announced again. A transaction of this instance that
/// failed leaves its `seq` behind, and another instance may commit that `seq` later: its
/// `NOTIFY` is then taken for this instance's own, and the sinks take those changes at
/// their next poll (``TidingsCore/DeliveryPolicy/pollInterval``) instead of at once — late,
/// never lost, as the outbox holds them.
final class ChangeAnnouncements: Sendable {
    let observers = ChangeObservers()
    /// The latest `seq`s of this instance's commits whose `NOTIFY` has not been heard yet.
    private let ownNotifications = Mutex<Set<Int64>>([])
    /// How many unheard notifications are remembered (those of commits that failed are never heard).
    private static let remembered = 10_000

    /// A transaction of this instance is about to commit changes up to `latestSeq`: its
    /// `NOTIFY` is this instance's own. Call it before the commit, which may be heard first.
    func willCommit(latestSeq: Int64) {
        ownNotifications.withLock { seqs in
            if seqs.count >= Self.remembered { seqs.removeAll() }
            seqs.insert(latestSeq)
        }
    }

    /// A transaction of this instance committed `changes`.
    func committed(_ changes: [StatusChange]) {
        guard !changes.isEmpty else { return }
        observers.publish(changes)
    }

    /// A `NOTIFY` with `payload` was heard (or the listener started, `nil`): unless it is
    /// this instance's own commit, the observers read the outbox.
    func heard(_ payload: String?) {
        if let seq = payload.flatMap({ Int64($0) }), ownNotifications.withLock({ $0.remove(seq) }) != nil { return }
        observers.publish([])
    }
}
