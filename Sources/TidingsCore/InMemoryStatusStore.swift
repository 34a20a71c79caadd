import Foundation
import TwilioWebhooks

/// A ``StatusStore`` that keeps records in memory: for tests and for trying Tidings out.
/// Everything is lost when the process ends.
public actor InMemoryStatusStore: StatusStore {
    private var records: [String: MessageRecord] = [:]

    public init() {}

    public func record(_ callback: StatusCallback, receivedAt: Date) -> RecordOutcome {
        let outcome = StatusMachine.outcome(
            of: callback, receivedAt: receivedAt, stored: records[callback.messageSid])
        records[callback.messageSid] = outcome.record
        return outcome
    }

    public func message(sid: String) -> MessageRecord? {
        records[sid]
    }

    public func checkAvailability() {}
}
