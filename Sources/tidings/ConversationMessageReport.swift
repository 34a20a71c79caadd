import Foundation
import TidingsCore

/// A Conversations message's delivery as `tidings status IM…` shows it: the summary in the
/// Conversations API's words, then one line per participant.
struct ConversationMessageReport: Sendable {
    let delivery: ConversationMessageDelivery

    /// The report's lines. Times are UTC, as in the API.
    func lines(on terminal: Terminal) -> [String] {
        let summary = delivery.delivery
        var lines = [terminal.paint(delivery.sid, .bold) + "  Conversations message, \(summary.total) receipt(s)"]
        if let conversation = delivery.conversationSid { lines.append("  conversation  \(conversation)") }
        lines.append(
            "  delivery      "
                + [("sent", summary.sent), ("delivered", summary.delivered), ("read", summary.read),
                   ("undelivered", summary.undelivered), ("failed", summary.failed)]
                .map { "\($0.0) \($0.1.rawValue)" }.joined(separator: " · "))
        lines.append("")
        var table = TextTable([
            ("PARTICIPANT", .left), ("CHANNEL MESSAGE", .left), ("STATUS", .left), ("ERROR", .left), ("UPDATED (UTC)", .left),
        ])
        for receipt in delivery.receipts {
            table.append([
                receipt.participantSid ?? "", receipt.channelMessageSid, terminal.paint(receipt.status),
                receipt.errorCode.map { terminal.paint("\($0) \(receipt.errorMessage ?? "")", .red) } ?? "",
                MessageReport.time(receipt.updatedAt),
            ])
        }
        lines += table.lines(indent: 2, on: terminal)
        lines.append("")
        lines.append("  one participant's message in full: tidings status <CHANNEL MESSAGE>")
        return lines
    }
}
