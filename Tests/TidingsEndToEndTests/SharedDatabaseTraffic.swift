import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// Shuffled message lives sent to several `tidings serve` on one database, as behind a load
/// balancer, and what those instances must show afterwards: every message as one store
/// would have recorded it, and every change at every sink at least once — but not once per
/// instance.
struct SharedDatabaseTraffic {
    let lives: ShuffledLives
    /// The same callbacks recorded by one in-memory store: what every instance must answer.
    private let reference = InMemoryStatusStore()

    init(_ lives: ShuffledLives) async throws {
        self.lives = lives
        for callback in lives.callbacks {
            _ = try await reference.record(try callback.callback(), receivedAt: Date())
        }
    }

    /// Sends the callbacks at `positions` from twelve senders at once, each callback to the
    /// next of `clients` in turn; returns every answer that was not `204`.
    func send(_ positions: Range<Int>, to clients: [CallbackClient]) async throws -> [UInt] {
        let workers = 12
        return try await withThrowingTaskGroup(of: [UInt].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var refused: [UInt] = []
                    for index in stride(from: positions.lowerBound + worker, to: positions.upperBound, by: workers) {
                        let status = try await clients[index % clients.count].post(lives.callbacks[index].parameters)
                        if status != 204 { refused.append(status) }
                    }
                    return refused
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Expects every message, asked of each of `clients` in turn, to be what one store
    /// decided from all of ``lives``.
    func expectEveryMessageAsOnOneStore(askingEachOf clients: [CallbackClient]) async throws {
        for (index, sid) in lives.sids.enumerated() {
            let expected = try #require(await reference.message(sid: sid))
            let (status, body) = try await clients[index % clients.count].get("/v1/messages/\(sid)")
            #expect(status == 200)
            let stored = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: body)
            #expect(stored.status == expected.status, "\(sid)")
            #expect(stored.errorCode == expected.errorCode, "\(sid)")
            #expect(stored.conflict == expected.conflict, "\(sid)")
            #expect(Set(stored.timeline.map(\.status)) == Set(expected.timeline.map(\.status)), "\(sid)")
            #expect(stored.history.count == expected.history.count, "\(sid)")
        }
    }

    /// The id of every change the callbacks make (`<sid>-<n>`, `n` counting the message's
    /// changes from 1).
    func changeIDs() async throws -> Set<String> {
        var ids: Set<String> = []
        for sid in lives.sids {
            let history = try #require(await reference.message(sid: sid)).history
            ids.formUnion((1...history.count).map { "\(sid)-\($0)" })
        }
        #expect(ids.count == lives.distinct.count)
        return ids
    }

    /// Expects each change to reach the webhook sink at `receiver` from whichever instance
    /// held its lease: at least once (a timed-out request is sent again), and not once per
    /// instance.
    func expectEachChange(deliveredTo receiver: LocalReceiver) async throws {
        let expected = try await changeIDs()
        var delivered: [String] = []
        try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            delivered = receiver.requests.filter(\.wasAccepted).compactMap { $0.headers["webhook-id"] }
            return Set(delivered).isSuperset(of: expected)
        }
        #expect(Set(delivered) == expected, "webhook sink misses \(expected.subtracting(delivered).count)")
        #expect(delivered.count < expected.count * 3 / 2, "\(delivered.count) deliveries of \(expected.count) changes")
    }

    /// Expects each change among the log sink's JSON lines, which are on one instance's
    /// standard output, or spread over them if the sink's lease moved: at least once, and
    /// not once per instance.
    func expectEachChange(loggedIn outputs: [URL]) async throws {
        let expected = try await changeIDs()
        var logged: [String] = []
        try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            logged = try outputs.flatMap { output in
                try String(contentsOf: output, encoding: .utf8).split(separator: "\n").compactMap { line in
                    (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
                }
            }
            return Set(logged).isSuperset(of: expected)
        }
        #expect(Set(logged) == expected)
        #expect(logged.count < expected.count * 3 / 2, "\(logged.count) lines for \(expected.count) changes")
    }
}
