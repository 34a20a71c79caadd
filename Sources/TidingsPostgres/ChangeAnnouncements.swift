import TidingsCore

/// Tells a store's observers of changes (``PostgresStatusStore/observeChanges(_:)``): this
/// instance's own commits with their changes, and other instances' commits — heard as
/// `NOTIFY`s — with none, so that the sinks read those from the outbox.
///
/// Every commit that adds changes sends a `NOTIFY` whose payload is its latest `seq`
/// followed by the committing instance's ``token`` (``payloadSQL(latestSeq:token:)``), and this
/// instance hears its own too: those carry its token and are not announced again, whether
/// they are heard before or after the commit's own answer. A payload without this token —
/// another instance's, or one from a Tidings that sent the `seq` alone — is announced.
final class ChangeAnnouncements: Sendable {
    let observers = ChangeObservers()
    /// What marks this instance's own notifications: 16 random hexadecimal digits.
    let token = String((0..<16).map { _ in "0123456789abcdef".randomElement()! })

    /// The SQL expression of a commit's `NOTIFY` payload, from the SQL expressions of its
    /// latest `seq` and of the committing instance's ``token`` (a bound parameter): that
    /// `seq`, a space and the token.
    static func payloadSQL(latestSeq: String, token: String) -> String {
        "(\(latestSeq))::text || ' ' || \(token)"
    }

    /// A transaction of this instance committed `changes`.
    func committed(_ changes: [StatusChange]) {
        guard !changes.isEmpty else { return }
        observers.publish(changes)
    }

    /// A `NOTIFY` with `payload` was heard (or the listener started, `nil`): unless it is
    /// this instance's own commit, the observers read the outbox.
    func heard(_ payload: String?) {
        if let payload, payload.hasSuffix(" \(token)") { return }
        observers.publish([])
    }
}
