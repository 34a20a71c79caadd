import Foundation
import TidingsCore
import TwilioWebhooks

extension StatusMachine {
    /// One callback through the machine with no store: the record it makes of `stored` and
    /// its change (nil for a repeat), unnumbered, at `receivedAt` exactly. For tests that
    /// build records the way a store would.
    public static func outcome(of callback: StatusCallback, receivedAt: Date, stored: MessageRecord?) -> RecordOutcome {
        var machine = StatusMachine(record: stored)
        switch machine.receive(callback, at: receivedAt) {
        case .duplicate: return RecordOutcome(record: machine.record!, change: nil)
        case .recorded(let change): return RecordOutcome(record: machine.record!, change: change)
        }
    }
}
