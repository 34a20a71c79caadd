import Foundation

/// What a client connection may take of the server: how many may be open, and how long
/// each may take over the parts of a request (``ConnectionGuard`` enforces them).
public struct ConnectionLimits: Sendable, Equatable {
    /// The most connections open at once (see ``ConnectionRegistry``).
    public var maximumConnections: Int
    /// From a connection's opening (or its next request's first byte) to the end of the
    /// request's headers.
    public var headerTimeout: Duration
    /// From the end of the headers to the end of the body.
    public var bodyTimeout: Duration
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration

    public init(maximumConnections: Int, headerTimeout: Duration, bodyTimeout: Duration, idleTimeout: Duration) {
        self.maximumConnections = maximumConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }

    /// File descriptors kept free of client connections for the store, the sinks' files
    /// and outgoing connections (webhooks, PostgreSQL).
    public static let reservedDescriptors = 64

    /// Raises the soft open-file limit to the hard one (the common soft limit of 1,024
    /// would cap connections far below what the process may have) and returns the limit
    /// now in force.
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// These limits with at most as many connections as `openFileLimit` leaves room for.
    public func fitting(openFileLimit: Int) -> ConnectionLimits {
        var limits = self
        limits.maximumConnections = max(1, min(maximumConnections, openFileLimit - Self.reservedDescriptors))
        return limits
    }
}
