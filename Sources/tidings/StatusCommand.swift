import ArgumentParser
import Foundation
import TidingsCore

/// `tidings status SID`: what happened to one message, from a running server.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one message: its status, the error and what it means, its timeline and every callback.",
        discussion: "Times are UTC. Exits non-zero when no callback for the message has reached the server."
    )

    @Argument(help: "The message SID (SM…, MM…).")
    var sid: String

    @Flag(help: "Print the record as the API answers it (JSON), for jq.")
    var json = false

    @OptionGroup var client: ServerClient

    func run() async throws {
        try await Terminal.reportingFailure {
            let body: Data
            do {
                body = try await client.get("/v1/messages/" + ServerClient.pathSegment(sid))
            } catch let failure as CommandFailure where failure.httpStatus == 404 {
                throw CommandFailure(
                    "no callback for \(sid) has been received (check the SID, and that the message's StatusCallback points at \(client.baseURL))",
                    httpStatus: 404)
            }
            if json {
                try Terminal.writeLine(String(decoding: body, as: UTF8.self))
                return
            }
            let record: MessageRecord
            do {
                record = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: body)
            } catch {
                throw CommandFailure("the server's answer is not a message record (\(error)); is --server a Tidings server of this version?")
            }
            try Terminal.writeLine(MessageReport(record: record).lines(on: .standardOutput).joined(separator: "\n"))
        }
    }
}
