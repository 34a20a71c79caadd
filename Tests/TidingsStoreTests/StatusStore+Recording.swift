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

    /// Records `callbacks` all at once, each from its own task (the n-th received at
    /// `CallbackFixtures.time(n)`), and returns each one's outcome or error in no
    /// particular order.
    func recordConcurrently(_ callbacks: [StatusCallback]) async -> [Result<RecordOutcome, any Error>] {
        await withTaskGroup(of: Result<RecordOutcome, any Error>.self) { group in
            for (index, callback) in callbacks.enumerated() {
                group.addTask {
                    do {
                        return .success(try await record(callback, receivedAt: CallbackFixtures.time(index)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }
}
