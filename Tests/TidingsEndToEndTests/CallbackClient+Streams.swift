import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

extension CallbackClient {
    /// Posts a `sent` callback for `sids[index]` for every index in `indices`, from `workers`
    /// concurrent senders, as Twilio's many connections would; calls `acknowledged` with each
    /// index the server answered 204. A sender stops at its first other answer or failure
    /// (the server was stopped), so the others' callbacks in flight decide what is acknowledged.
    func postSent(
        to sids: [String], indices: [Int], workers: Int = 16, acknowledged: @escaping @Sendable (Int) -> Void
    ) async {
        await Self.share(indices, among: workers) { index in
            let form = CallbackFixtures.parameters(sid: sids[index], status: "sent")
            guard (try? await post(form)) == 204 else { return false }
            acknowledged(index)
            return true
        }
    }

    /// Runs `send` for every index in `indices`, from `workers` concurrent senders that
    /// share them in turn; a sender stops at the first `send` that returns false (the
    /// server was stopped), so the others' requests in flight decide what got through.
    static func share(_ indices: [Int], among workers: Int, _ send: @escaping @Sendable (Int) async -> Bool) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for position in stride(from: worker, to: indices.count, by: workers) {
                        guard await send(indices[position]) else { return }
                    }
                }
            }
        }
    }

    /// The SID of every message the server has stored, read through `GET /v1/messages` a
    /// thousand at a time (each stored message is listed once).
    func storedSIDs() async throws -> Set<String> {
        var stored: Set<String> = []
        var cursor: String?
        repeat {
            let (status, body) = try await get("/v1/messages?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""))
            try #require(status == 200)
            let page = try JSONCoding.makeDecoder().decode(MessagePage.self, from: body)
            stored.formUnion(page.messages.map(\.sid))
            cursor = page.nextCursor
        } while cursor != nil
        return stored
    }
}
