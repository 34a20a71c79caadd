import Foundation
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// Status changes for the sink tests, built directly (no store involved).
enum ChangeFixtures {
    /// The `number`-th change: message `number / 3`, the stages queued → sent → delivered
    /// in turn, outbox position `number`, received at a whole second (so that times
    /// compare exactly after a trip through JSON).
    static func change(_ number: Int) -> StatusChange {
        let stages: [(status: MessageStatus, previous: MessageStatus?)] = [
            (.queued, nil), (.sent, .queued), (.delivered, .sent),
        ]
        let stage = stages[number % stages.count]
        let sid = CallbackFixtures.sid(number / stages.count)
        return StatusChange(
            id: "\(sid)-\(number % stages.count)", seq: Int64(number), receivedAt: CallbackFixtures.time(number),
            source: .callback, sid: sid, status: stage.status, previousStatus: stage.previous, reportedStatus: stage.status,
            errorCode: nil, errorMessage: nil, channel: .sms, to: CallbackFixtures.to, applied: true,
            conflict: false)
    }

    /// Changes `numbers`, in order.
    static func batch(_ numbers: some Sequence<Int>) -> [StatusChange] {
        numbers.map(change)
    }

    /// A change with every optional field filled in: a late `sent` after `undelivered`,
    /// carrying an error.
    static let everyField = StatusChange(
        id: "\(CallbackFixtures.sid(99))-4", seq: 42, receivedAt: CallbackFixtures.time(7), source: .eventStream,
        sid: CallbackFixtures.sid(99),
        status: .undelivered, previousStatus: .sent, reportedStatus: .sent, errorCode: 30003,
        errorMessage: "Unreachable destination handset", channel: .whatsapp, to: "whatsapp:+15558675310",
        applied: false, conflict: true)
}
