import Foundation

/// The time a long-running part of Tidings reads and waits on: any `Clock<Duration>`,
/// erased so that it can be stored and passed around, plus the wall-clock `Date` that goes
/// with it.
///
/// Production code uses ``continuous`` (waits on `ContinuousClock`, dates from the
/// system). Tests pass a manual clock instead (`ServiceClock(manual, wallTimeAtStart: …)`)
/// and step time rather than sleeping: then waits *and* ages — how old a change is, when a
/// failure happened — follow the injected clock alike. Like Hummingbird's
/// `MemoryPersistDriver<C: Clock>`, the clock is a parameter, not a global.
///
/// Its instants count from when the clock was made; compare them only with instants of the
/// same `ServiceClock`.
public struct ServiceClock: Clock, Sendable {
    /// A point in time: how long after the clock was made.
    public struct Instant: InstantProtocol, Sendable {
        /// The time since the clock was made.
        public var offset: Duration

        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public static func + (lhs: Instant, rhs: Duration) -> Instant {
            lhs.advanced(by: rhs)
        }

        public static func - (lhs: Instant, rhs: Instant) -> Duration {
            rhs.duration(to: lhs)
        }
    }

    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (_ until: Duration, _ tolerance: Duration?) async throws -> Void
    private let wallTimeNow: @Sendable () -> Date
    public let minimumResolution: Duration

    /// Reads and waits on `clock`; ``wallTime`` is `wallTimeAtStart` plus the time `clock`
    /// says has passed since.
    public init<C: Clock>(_ clock: C, wallTimeAtStart: Date = Date()) where C.Duration == Duration {
        self.init(clock, wallTime: nil, wallTimeAtStart: wallTimeAtStart)
    }

    private init<C: Clock>(_ clock: C, wallTime: (@Sendable () -> Date)?, wallTimeAtStart: Date)
    where C.Duration == Duration {
        let origin = clock.now
        let elapsed: @Sendable () -> Duration = { origin.duration(to: clock.now) }
        self.elapsed = elapsed
        self.sleeper = { offset, tolerance in
            try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance)
        }
        self.wallTimeNow = wallTime ?? { wallTimeAtStart.addingTimeInterval(elapsed().timeInterval) }
        self.minimumResolution = clock.minimumResolution
    }

    /// Waits on `ContinuousClock` (which goes on while the machine sleeps) and reads the
    /// wall time from the system (`Date()`), so that dates stay right when the system clock
    /// is set while Tidings runs.
    public static let continuous = ServiceClock(ContinuousClock(), wallTime: { Date() }, wallTimeAtStart: Date())

    /// The current instant.
    public var now: Instant { Instant(offset: elapsed()) }

    /// The current wall-clock time: what `Date()` would say, by this clock.
    public var wallTime: Date { wallTimeNow() }

    /// Returns at `deadline`, or throws `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleeper(deadline.offset, tolerance)
    }
}
