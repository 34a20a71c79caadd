import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

extension StatusStore {
    /// Records `callbacks` one after the other, the n-th received at
    /// `CallbackFixtures.time(n)`, and returns the change each one made; a duplicate
    /// among them fails the test.
    func recordChanges(_ callbacks: [StatusCallback]) async throws -> [StatusChange] {
        var changes: [StatusChange] = []
        for (index, callback) in callbacks.enumerated() {
            let outcome = try await record(callback, receivedAt: CallbackFixtures.time(index))
            changes.append(try #require(outcome.change, "callback \(index) was a duplicate"))
        }
        return changes
    }
}
