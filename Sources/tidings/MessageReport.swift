import Foundation
import TidingsCore
import TwilioWebhooks

/// One message's record as `tidings status` shows it to someone on call: where it stands
/// and why, how long each step took, and every callback.
struct MessageReport: Sendable {
    let record: MessageRecord
    /// Where error codes' meanings come from.
    var catalog: ErrorCatalog = .twilio

    /// The report's lines. Times are UTC, as in the API.
    func lines(on terminal: Terminal) -> [String] {
        var lines = [terminal.paint(record.sid, .bold) + "  " + terminal.paint(record.status)]
        func field(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
        }
        for (index, line) in errorLines(on: terminal).enumerated() {
            field(index == 0 ? "error" : "", line)
        }
        field("channel", record.channel.name)
        field("channel says", record.channelStatusMessage)
        field("to", record.to)
        field("from", record.from)
        field("service", record.messagingServiceSid)
        field("account", record.accountSid)
        field("carrier", carrierLine)
        if record.conflict {
            field("conflict", terminal.paint("callbacks disagree about this message's fate; see the history", .red))
        }
        if record.stale {
            field("stale", terminal.paint("in flight with no callback for longer than the server's --stale-after", .yellow))
        }
        field("timeline", timelineLine(on: terminal))
        field("first seen", Self.time(record.firstSeenAt))
        field("updated", Self.time(record.updatedAt))
        lines.append("")
        lines.append("  history")
        var history = TextTable([
            ("RECEIVED (UTC)", .left), ("SOURCE", .left), ("STATUS", .left), ("APPLIED", .left), ("DUPLICATES", .right),
            ("ERROR", .left),
        ])
        for entry in record.history {
            history.append([
                Self.time(entry.receivedAt), entry.source.rawValue, terminal.paint(entry.status), entry.applied ? "yes" : "no",
                String(entry.duplicates), entry.errorCode.map { terminal.paint(String($0), .red) } ?? "",
            ])
        }
        lines += history.lines(indent: 2, on: terminal)
        return lines
    }

    /// The error code and what it means: the API's words (``MessageRecord/errorMessage``),
    /// then the catalog's explanation and whether a retry can help.
    private func errorLines(on terminal: Terminal) -> [String] {
        guard let code = record.errorCode else { return [] }
        let entry = catalog.entry(for: code)
        let title = record.errorMessage ?? entry?.title ?? "not a code this version of tidings knows"
        var lines = [terminal.paint("\(code) \(title)", .red)]
        if let entry {
            lines.append(entry.meaning)
            lines.append(entry.retryable ? "sending again later may help" : "sending again will fail the same way until something changes")
        }
        lines.append(entry?.docsURL ?? ErrorCatalog.docsURL(for: code))
        return lines
    }

    /// The carrier's own done time (`RawDlrDoneDate`), read or raw.
    private var carrierLine: String? {
        guard let raw = record.rawDlrDoneDate else { return nil }
        guard let doneAt = record.carrierDoneAt else { return "done at \(raw) (RawDlrDoneDate, not a time tidings can read)" }
        return "done at \(Self.time(doneAt)) (RawDlrDoneDate \(raw))"
    }

    /// `queued → sent +1.2s → delivered +4.8s`: each status's first time, as the delay
    /// since the step before.
    private func timelineLine(on terminal: Terminal) -> String? {
        guard let first = record.timeline.first else { return nil }
        var text = terminal.paint(first.status)
        for (previous, entry) in zip(record.timeline, record.timeline.dropFirst()) {
            text += " → " + terminal.paint(entry.status) + " "
                + terminal.paint(DurationFormat.text(entry.at.timeIntervalSince(previous.at), signed: true), .dim)
        }
        return text
    }

    /// `2026-11-23 19:04:07.123Z`: the API's time with a space for the `T`, for reading.
    static func time(_ date: Date) -> String {
        JSONCoding.formatTimestamp(date).replacingOccurrences(of: "T", with: " ")
    }
}
