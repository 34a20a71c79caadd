import ArgumentParser
import Foundation

/// `tidings replay`: delivers changes to a sink again, through the running server.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Deliver changes to a sink again: its dead letters, or everything from an outbox seq on.",
        discussion: "`GET /v1/sinks` (or the server's logs) shows each sink's cursor and dead letters."
    )

    @Option(help: "The sink's name (log, file, webhook, or its ;name=).")
    var sink: String

    @Option(help: "Deliver again every change from this outbox seq on that is still in the outbox.")
    var from: Int64?

    @Flag(help: "Offer the sink its dead letters again; those it takes are removed.")
    var deadLetters = false

    @OptionGroup var client: ServerClient

    func validate() throws {
        guard (from != nil) != deadLetters else {
            throw ValidationError("Say either --from SEQ or --dead-letters.")
        }
    }

    func run() async throws {
        let body = try JSONSerialization.data(
            withJSONObject: from.map { ["from": $0] } ?? ["deadLetters": true])
        let path = "/v1/sinks/\(sink.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? sink)/replay"
        let answer = try JSONSerialization.jsonObject(with: try await client.send(.POST, path, json: body)) as? [String: Any]
        if let delivered = answer?["delivered"] as? Int {
            print("\(sink): \(delivered) dead letters delivered")
        } else if let from {
            print("\(sink): delivering again from seq \(from)")
        }
    }
}
