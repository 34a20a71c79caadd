/// The wait between reconnections, in seconds: half a second, doubling up to ``longest``.
struct Backoff: Sendable {
    static let shortest = 0.5
    static let longest = 15.0

    private var current = shortest

    /// The wait before the next try; each call doubles the one after, up to ``longest``.
    mutating func next() -> Double {
        defer { current = min(current * 2, Self.longest) }
        return current
    }

    /// Back to the shortest wait, after a connection succeeded.
    mutating func reset() {
        current = Self.shortest
    }
}
