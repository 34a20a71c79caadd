import ArgumentParser
import Foundation
import TidingsCore
import TidingsServer
import TwilioWebhooks

/// `tidings stats`: the `GET /v1/stats` numbers as tables.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count messages by status, channel and error code, with delivery latency percentiles.",
        discussion: "Messages are counted by their current status, among those whose last change falls in the window."
    )

    @Option(help: "Only messages changed since then: a duration ago (24h, 30m) or an RFC 3339 time. (default: all)")
    var since: String?

    @Option(help: "Only messages changed before then: a duration ago or an RFC 3339 time.")
    var until: String?

    @Option(help: "Only this channel (sms, mms, whatsapp, rcs, …).")
    var channel: String?

    @Flag(help: "Print the API's answer (JSON), for jq.")
    var json = false

    @OptionGroup var client: ServerClient

    func run() async throws {
        try await Terminal.reportingFailure {
            let body = try await client.get("/v1/stats", query: ["since": since, "until": until, "channel": channel])
            if json {
                try Terminal.writeLine(String(decoding: body, as: UTF8.self))
                return
            }
            let stats: StatsReport
            do {
                stats = try JSONCoding.makeDecoder().decode(StatsReport.self, from: body)
            } catch {
                throw CommandFailure("the server's answer is not statistics (\(error)); is --server a Tidings server of this version?")
            }
            try Terminal.writeLine(lines(stats, on: .standardOutput).joined(separator: "\n"))
        }
    }

    /// The tables: a summary line, then by status, by channel, error codes, latency.
    func lines(_ stats: StatsReport, on terminal: Terminal) -> [String] {
        var window = [since.map { "since \($0)" }, until.map { "until \($0)" }, channel.map { "channel \($0)" }]
            .compactMap(\.self).joined(separator: ", ")
        if !window.isEmpty { window = " (\(window))" }
        var lines = ["\(stats.total) message\(stats.total == 1 ? "" : "s")\(window)"]
        if stats.stale > 0 {
            lines.append(terminal.paint("\(stats.stale) stale: in flight with no callback for longer than --stale-after", .yellow))
        }
        if stats.conflicts > 0 {
            lines.append(terminal.paint("\(stats.conflicts) with conflicting callbacks", .red))
        }

        var statuses = TextTable([("STATUS", .left), ("MESSAGES", .right)])
        for (status, count) in Self.mostFirst(stats.byStatus) {
            statuses.append([terminal.paint(MessageStatus(wireValue: status)), String(count)])
        }
        var channels = TextTable([("CHANNEL", .left), ("MESSAGES", .right)])
        for (channel, count) in Self.mostFirst(stats.byChannel) {
            channels.append([channel, String(count)])
        }
        var errors = TextTable([("ERROR", .right), ("MESSAGES", .right), ("RETRY HELPS", .left), ("TITLE", .left)])
        for code in stats.errorCodes {
            errors.append([
                terminal.paint(String(code.code), .red), String(code.count),
                code.retryable.map { $0 ? "yes" : "no" } ?? "?",
                code.title ?? "unknown code, see \(code.docsURL)",
            ])
        }
        var latency = TextTable([
            ("LATENCY", .left), ("SAMPLES", .right), ("P50", .right), ("P90", .right), ("P99", .right), ("MAX", .right),
        ])
        for (name, summary) in [
            ("queued → sent", stats.latency.queuedToSent), ("sent → delivered", stats.latency.sentToDelivered),
            ("carrier → callback", stats.latency.carrierToCallback),
        ] {
            guard let summary else { continue }
            latency.append(
                [name, String(summary.count)] + [summary.p50, summary.p90, summary.p99, summary.max].map { DurationFormat.text($0) })
        }
        for table in [statuses, channels, errors, latency] where !table.isEmpty {
            lines.append("")
            lines += table.lines(indent: 0, on: terminal)
        }
        return lines
    }

    /// Counts, largest first, ties by name.
    private static func mostFirst(_ counts: [String: Int]) -> [(String, Int)] {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    }
}
