import Foundation
import Hummingbird
import NIOCore
import TidingsCore

/// The durable floor of the load benchmark: a Hummingbird server that stores each
/// callback's body and answers `204` only once it is durable — in groups, one commit and
/// one sync for every callback waiting, on a thread of its own, with Tidings' own group
/// commit (`GroupCommit`, at most 256 a group, as the stores take). No signature, no
/// parsing, no state, no index, no outbox, no sink.
///
/// Whatever acknowledges a callback only once it is durable pays at least this on the same
/// machine, so it bounds what Tidings can reach, between the ceiling (HTTP alone) and
/// Tidings itself (bench/run.sh, bench/REPORT.md). Two ways to store:
///
///     durable-floor PORT FILE            # appended to FILE, then fdatasync
///     durable-floor PORT FILE.sqlite     # a row each in SQLite (WAL, synchronous=FULL)
let arguments = CommandLine.arguments.dropFirst()
guard let port = arguments.first.flatMap(Int.init), let path = arguments.dropFirst().first else {
    FileHandle.standardError.write(Data("usage: durable-floor PORT FILE[.sqlite]\n".utf8))
    exit(2)
}
let store: @Sendable ([ByteBuffer]) throws -> Void
do {
    if path.hasSuffix(".sqlite") {
        let rows = try SQLiteRows(path: path)
        store = { try rows.insert($0) }
    } else {
        let file = try AppendedFile(path: path)
        store = { try file.append($0) }
    }
} catch {
    FileHandle.standardError.write(Data("durable-floor: cannot open \(path): \(error)\n".utf8))
    exit(1)
}
let groupCommit = GroupCommit<ByteBuffer, Void>(maximumBatchSize: 256, label: "durable-floor.commit") { bodies in
    try store(bodies)
    return Array(repeating: (), count: bodies.count)
}
let router = Router()
router.post("/twilio/status") { request, _ -> HTTPResponse.Status in
    _ = try await groupCommit.commit(try await request.body.collect(upTo: 64 * 1024))
    return .noContent
}
let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await application.runService()
