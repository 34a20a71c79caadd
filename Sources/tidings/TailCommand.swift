import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import TidingsCore

/// `tidings tail`: follows `GET /v1/events`, one line per status change, until Ctrl-C.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow status changes live, one line per change, until Ctrl-C.",
        discussion: """
            Times are local. When the connection drops, tail reconnects (waiting up to \
            \(Int(Backoff.longest)) s between tries) and resumes after the \
            last change it showed, so nothing is missed while the server still has it.
            """
    )

    @Flag(help: "Print each change as the API sends it (one JSON object per line), for jq.")
    var json = false

    @Option(
        name: .customLong("status"), parsing: .upToNextOption,
        help: ArgumentHelp("Only changes that leave a message in one of these statuses (repeatable, or comma-separated).", valueName: "status"))
    var statuses: [String] = []

    @Option(help: "Only this channel (sms, mms, whatsapp, rcs, …).")
    var channel: String?

    @Flag(help: "Only failures (undelivered, failed, canceled) and changes that carry an error code.")
    var onlyErrors = false

    @Option(help: ArgumentHelp(
        "Start after this outbox seq (a change's seq, as --json shows it): first the changes since, as far as the server still keeps them. (default: only new changes)",
        valueName: "seq"))
    var sinceSeq: Int64?

    @OptionGroup var client: ServerClient

    func validate() throws {
        if let sinceSeq, sinceSeq < 0 {
            throw ValidationError("--since-seq must be 0 or more.")
        }
    }

    func run() async throws {
        try await Terminal.reportingFailure {
            try await HTTPClient.withCommandLineClient { http in
                try await follow(using: http)
            }
        }
    }

    /// The `/v1/events` filters.
    private var query: KeyValuePairs<String, String?> {
        let statuses = statuses.flatMap { $0.split(separator: ",") }.joined(separator: ",")
        return ["status": statuses.isEmpty ? nil : statuses, "channel": channel, "onlyErrors": onlyErrors ? "true" : nil]
    }

    /// Reads the stream, and reads it again after each drop, until the process is stopped.
    ///
    /// - Throws: ``CommandFailure`` when the first connection fails or the server refuses
    ///   the request (a 4xx: a bad filter, a wrong token); drops, restarts and 5xx answers
    ///   after that are waited out.
    private func follow(using http: HTTPClient) async throws {
        let terminal = Terminal.standardOutput
        var lastEventID = sinceSeq.map(String.init)
        var backoff = Backoff()
        var hasConnected = false
        while true {
            let dropped: String
            do {
                let response = try await client.openEventStream("/v1/events", query: query, lastEventID: lastEventID, client: http)
                if hasConnected {
                    Terminal.warn("reconnected to \(client.baseURL)")
                }
                hasConnected = true
                backoff.reset()
                var parser = ServerSentEventParser(lastEventID: lastEventID)
                var body = response.body.makeAsyncIterator()
                while true {
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await body.next()
                    } catch {
                        dropped = "lost the connection (\(ServerClient.describe(error)))"
                        break
                    }
                    guard let chunk else {
                        dropped = "the server ended the stream"
                        break
                    }
                    for event in parser.consume(chunk.readableBytesView) {
                        switch event.type {
                        case "status":
                            try Terminal.writeLine(json ? event.data : Self.line(for: event.data, on: terminal))
                        case "reset":
                            Terminal.warn("the server's outbox starts over (its store was reset or restored); showing every change it still keeps")
                        default:
                            break
                        }
                    }
                    lastEventID = parser.lastEventID
                }
            } catch let failure as CommandFailure where hasConnected && failure.isTransient {
                dropped = failure.message
            }
            let delay = backoff.next()
            Terminal.warn("\(dropped); reconnecting in \(DurationFormat.text(delay))")
            try await Task.sleep(for: .seconds(delay))
        }
    }

    /// One change for people:
    /// `19:04:07 SM… sent → undelivered (sms, +15558675310) 30003 Unreachable destination handset`.
    /// Data that is not a change is shown as it came.
    static func line(for data: String, on terminal: Terminal, calendar: Calendar = .current) -> String {
        guard let change = try? JSONCoding.decodeChange(data, decoder: JSONCoding.makeDecoder()) else {
            return data
        }
        let time = calendar.dateComponents([.hour, .minute, .second], from: change.receivedAt)
        var text = String(format: "%02d:%02d:%02d ", time.hour ?? 0, time.minute ?? 0, time.second ?? 0) + change.sid + " "
        if change.stale {
            text += terminal.paint(change.status) + " " + terminal.paint("stale: no callback for longer than --stale-after", .yellow)
        } else if !change.applied {
            text += terminal.paint(change.status) + terminal.paint(", late \(change.reportedStatus.wireValue) not applied", .dim)
        } else if let previous = change.previousStatus {
            text += terminal.paint(previous) + " → " + terminal.paint(change.status)
        } else {
            text += terminal.paint(change.status)
        }
        text += " (" + ([change.channel.name] + (change.to.map { [$0] } ?? [])).joined(separator: ", ") + ")"
        if let code = change.errorCode {
            text += " " + terminal.paint([String(code), change.errorMessage].compactMap(\.self).joined(separator: " "), .red)
        }
        if change.conflict {
            text += " " + terminal.paint("conflict", .red)
        }
        return text
    }
}

extension CommandFailure {
    /// Whether trying again later can help: no answer at all, or a 5xx.
    var isTransient: Bool {
        httpStatus.map { $0 >= 500 } ?? true
    }
}
