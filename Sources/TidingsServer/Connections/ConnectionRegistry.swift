import Logging
import NIOCore
import Synchronization

/// Every open client connection, so that their number stays within a cap without ever
/// refusing the requests that matter.
///
/// When a connection opens past ``limit``, the registry closes a connection without a
/// request under way to make room: first the one open longest that has not yet completed a
/// request (a silent socket, a client still trickling its headers), then the kept-alive
/// connection idle longest (a client that has proved itself, such as Twilio's, goes last);
/// only when every connection is busy with a request is the new one closed instead. So a thousand idle or slow sockets cannot
/// keep Twilio's callbacks or `/healthz` out, and the process never runs out of file
/// descriptors (``ConnectionLimits/fitting(openFileLimit:)``).
///
/// Reaching the cap is logged, at most once per ``logInterval``, with how many
/// connections were closed to make room.
public final class ConnectionRegistry: Sendable {
    public let limit: Int
    let logInterval: Duration
    private let logger: Logger

    private struct Entry {
        let channel: any Channel
        /// When the connection last became idle (or opened): the oldest idle one goes first.
        var idleSince: ContinuousClock.Instant
        var busy: Bool
        /// Whether it has been answered at least once.
        var served = false
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var closedToMakeRoom = 0
        var lastLogged: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init(limit: Int, logInterval: Duration = .seconds(10), logger: Logger) {
        self.limit = limit
        self.logInterval = logInterval
        self.logger = logger
    }

    /// How many connections are open.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Registers a new connection, closing another (or this one) when past the limit.
    func opened(_ channel: any Channel) {
        let now = ContinuousClock.now
        let (victim, report) = state.withLock { state -> ((any Channel)?, String?) in
            let id = ObjectIdentifier(channel)
            state.entries[id] = Entry(channel: channel, idleSince: now, busy: false)
            guard state.entries.count > limit else { return (nil, nil) }
            let oldestIdle = state.entries.filter { !$0.value.busy && $0.key != id }.min {
                ($0.value.served ? 1 : 0, $0.value.idleSince) < ($1.value.served ? 1 : 0, $1.value.idleSince)
            }
            let victimID = oldestIdle?.key ?? id
            let victim = state.entries.removeValue(forKey: victimID)?.channel
            state.closedToMakeRoom += 1
            guard state.lastLogged.map({ now - $0 >= logInterval }) ?? true else { return (victim, nil) }
            state.lastLogged = now
            defer { state.closedToMakeRoom = 0 }
            return (victim, "\(state.closedToMakeRoom)")
        }
        if let report {
            logger.warning(
                "connection limit reached: closing the connections idle longest to make room (raise --max-connections or the open-file limit if this is real traffic)",
                metadata: ["limit": "\(limit)", "closedToMakeRoom": "\(report)"])
        }
        victim?.close(promise: nil)
    }

    /// The connection started a request: it is not closed to make room until it ends.
    func busy(_ channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.busy = true }
    }

    /// The connection finished its request and waits for the next.
    func idle(_ channel: any Channel) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.entries[ObjectIdentifier(channel)]?.busy = false
            state.entries[ObjectIdentifier(channel)]?.served = true
            state.entries[ObjectIdentifier(channel)]?.idleSince = now
        }
    }

    /// The connection closed.
    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
