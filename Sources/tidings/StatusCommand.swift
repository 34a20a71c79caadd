import ArgumentParser
import Foundation
import TidingsCore

/// `tidings status SID`: what happened to one message, from a running server.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one message: its status, the error and what it means, its timeline and every report.",
        discussion: "Times are UTC. A Conversations message (IM…) shows each participant's delivery instead. Exits non-zero when nothing about the message has reached the server."
    )

    @Argument(help: "The message SID (SM…, MM…), or a Conversations message's (IM…).")
    var sid: String

    @Flag(help: "Print the record as the API answers it (JSON), for jq.")
    var json = false

    @OptionGroup var client: ServerClient

    func run() async throws {
        try await Terminal.reportingFailure {
            if sid.hasPrefix("IM") {
                try await showConversationMessage()
                return
            }
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

    /// `tidings status IM…`: every participant's delivery of a Conversations message.
    private func showConversationMessage() async throws {
        let body: Data
        do {
            body = try await client.get("/v1/conversations/messages/" + ServerClient.pathSegment(sid))
        } catch let failure as CommandFailure where failure.httpStatus == 404 {
            throw CommandFailure(
                "no delivery receipt for \(sid) has been received (check the SID, and that the Conversations service's post-event webhook points at \(client.baseURL) with onDeliveryUpdated)",
                httpStatus: 404)
        }
        if json {
            try Terminal.writeLine(String(decoding: body, as: UTF8.self))
            return
        }
        let delivery: ConversationMessageDelivery
        do {
            delivery = try JSONCoding.makeDecoder().decode(ConversationMessageDelivery.self, from: body)
        } catch {
            throw CommandFailure("the server's answer is not a Conversations message's delivery (\(error)); is --server a Tidings server of this version?")
        }
        try Terminal.writeLine(ConversationMessageReport(delivery: delivery).lines(on: .standardOutput).joined(separator: "\n"))
    }
}
