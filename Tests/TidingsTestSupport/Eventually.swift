/// Waits until `condition` holds, checking it every `interval` for at most `timeout`, and
/// returns whether it held: for what happens asynchronously — a sink fed, a metric read, a
/// line printed. Never for proving that something does not happen; that needs an injected
/// clock (``ManualClock``).
///
/// The default timeout is generous on purpose: the suite runs its tests in parallel on a
/// machine of two cores, and a condition that holds returns at once.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(10),
    isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: interval)
    }
}
