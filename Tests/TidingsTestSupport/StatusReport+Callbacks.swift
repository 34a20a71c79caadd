import Foundation
import TidingsCore
import TwilioWebhooks

// Most tests speak status callbacks; these take one where the code takes a report, through
// the callback adapter (`StatusReport.init(_:)`), as the callback route does.

extension StatusRecording {
    /// Records `callback` as the callback route does.
    public func record(_ callback: StatusCallback, receivedAt: Date) async throws -> RecordOutcome {
        try await record(StatusReport(callback), receivedAt: receivedAt)
    }
}

extension StatusMachine {
    /// Applies `callback` as the callback route's report.
    public mutating func receive(_ callback: StatusCallback, at receivedAt: Date) -> Transition {
        receive(StatusReport(callback), at: receivedAt)
    }
}

extension GroupCommitQueue.Entry {
    /// An entry of `callback`'s report.
    public init(callback: StatusCallback, receivedAt: Date) {
        self.init(report: StatusReport(callback), receivedAt: receivedAt)
    }
}
