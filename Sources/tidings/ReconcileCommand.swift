import ArgumentParser
import Foundation
import NIOCore
import TidingsServer

/// `tidings reconcile`: one reconciliation pass through the running server
/// (`POST /v1/reconcile`), and what it did.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Ask Twilio now about the messages whose reports went quiet, and record what it says.",
        discussion: """
            The server fetches every message in flight quiet for longer than its --reconcile-after. With --sweep, \
            it first lists every message its accounts (--twilio-account-sid) sent in that window, which finds the \
            messages Tidings never heard of. One pass runs at a time across the instances.
            """
    )

    @Option(help: "Also list the messages sent in this window before now (24h, 90m; at most 31d).")
    var sweep: String?

    @Option(help: "How long to wait for the pass to finish (at the server's --reconcile-rate, 1,000 messages take minutes).")
    var timeout: String = "30m"

    @Flag(help: "Print the API's answer (JSON), for jq.")
    var json = false

    @OptionGroup var client: ServerClient

    func validate() throws {
        if let sweep, DurationText.seconds(sweep) == nil {
            throw ValidationError("--sweep \(sweep) is not a duration like 24h or 90m.")
        }
        guard let seconds = DurationText.seconds(timeout), seconds >= 1 else {
            throw ValidationError("--timeout \(timeout) is not a duration like 30m.")
        }
    }

    func run() async throws {
        try await Terminal.reportingFailure {
            let path = "/v1/reconcile" + (sweep.map { "?sweep=\(ServerClient.pathSegment($0))" } ?? "")
            let seconds = DurationText.seconds(timeout) ?? 1800
            let body = try await client.send(.POST, path, timeout: .seconds(Int64(seconds)))
            let summary: ReconcileSummary
            do {
                summary = try JSONDecoder().decode(ReconcileSummary.self, from: body)
            } catch {
                throw CommandFailure("the server's answer is no reconciliation summary (\(error)); is --server a Tidings server of this version?")
            }
            if json {
                try Terminal.writeLine(String(decoding: body, as: UTF8.self))
            } else {
                try Terminal.writeLine(Self.lines(summary, on: .standardOutput).joined(separator: "\n"))
            }
            // A pass Twilio refused is no success, for scripts either.
            if summary.stopped != nil { throw ExitCode(3) }
        }
    }

    /// The summary in words: what was asked, what moved, what was found, what failed.
    static func lines(_ summary: ReconcileSummary, on terminal: Terminal) -> [String] {
        var lines = ["\(summary.checked) message\(summary.checked == 1 ? "" : "s") checked with Twilio"]
        var table = TextTable([("RESULT", .left), ("MESSAGES", .right), ("MEANING", .left)])
        table.append(["changed", String(summary.changed), "Twilio knew a status Tidings had not heard"])
        table.append(["discovered", String(summary.discovered), "sent, but never reported to Tidings"])
        table.append([
            summary.notFound > 0 ? terminal.paint("not found", .yellow) : "not found", String(summary.notFound),
            "Twilio does not know the SID",
        ])
        table.append([
            summary.failed > 0 ? terminal.paint("failed", .red) : "failed", String(summary.failed),
            "could not be asked about (see the server's log); the next pass tries again",
        ])
        lines += table.lines(indent: 0, on: terminal)
        if let stopped = summary.stopped {
            lines.append(terminal.paint("The pass stopped: \(stopped).", .red))
        }
        return lines
    }
}
