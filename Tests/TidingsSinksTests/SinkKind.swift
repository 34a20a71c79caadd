import Foundation
import Synchronization
import Logging
import Testing
import TidingsCore
import TidingsTestSupport
@testable import TidingsSinks

/// What a sink's destination holds of one change: what a consumer needs to put changes in
/// order and drop repeats.
struct Arrival: Equatable, Sendable, CustomStringConvertible {
    let id: String
    let seq: Int64?
    let sid: String
    let status: String

    init(id: String, seq: Int64?, sid: String, status: String) {
        self.id = id
        self.seq = seq
        self.sid = sid
        self.status = status
    }

    init(_ change: StatusChange) {
        self.init(id: change.id, seq: change.seq, sid: change.sid, status: change.status.wireValue)
    }

    var description: String { "\(id)#\(seq.map(String.init) ?? "-") \(status)" }
}

/// Every ``EventSink`` the conformance suite runs against, each with a way to read back
/// what reached its destination.
enum SinkKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The log sink appending to a file.
    case log
    /// The file sink (no rotation within the suite's few changes).
    case file
    /// The webhook sink posting to a local receiver that accepts everything.
    case webhook

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh sink of this kind and a function that returns everything
    /// its destination holds so far, in order; removes the sink's files or stops its
    /// receiver afterwards.
    func withSink(
        _ body: (any EventSink, _ arrivals: () async throws -> [Arrival]) async throws -> Void
    ) async throws {
        try await withoutActuallyEscaping(body) { body in
            try await withFailableSink { sink, _, arrivals in try await body(sink, arrivals) }
        }
    }

    /// ``withSink(_:)``, with a switch that makes the destination refuse what comes: a full
    /// disk for the log and file sinks (`ENOSPC`), `503` from the webhook's receiver.
    func withFailableSink(
        _ body: (any EventSink, _ refusing: @Sendable (Bool) -> Void, _ arrivals: () async throws -> [Arrival]) async throws -> Void
    ) async throws {
        let disk = SimulatedDisk()
        let fullDisk: @Sendable (Bool) -> Void = { disk.leaveRoom($0 ? 0 : nil) }
        switch self {
        case .log:
            try await TemporaryDirectory.with { folder in
                let file = folder.appending(path: "log/events.jsonl")
                let sink = try LogSink.appending(toFile: file.path, calls: disk.calls)
                try await body(sink, fullDisk) {
                    try jsonLines(of: file, as: LogSinkLine.self).map {
                        Arrival(id: $0.id, seq: $0.seq, sid: $0.sid, status: $0.status)
                    }
                }
            }
        case .file:
            try await TemporaryDirectory.with { folder in
                let file = folder.appending(path: "archive/events.jsonl")
                let sink = try FileSink(
                    path: file.path, rotation: FileRotation(), sync: .everyBatch, name: "file",
                    logger: Logger(label: "test"), now: { Date() }, calls: disk.calls)
                try await body(sink, fullDisk) {
                    try jsonLines(of: file, as: StatusChange.self).map(Arrival.init)
                }
            }
        case .webhook:
            let refusing = Atomic<Bool>(false)
            try await LocalReceiver.with(answer: { _ in refusing.load(ordering: .relaxed) ? .status(503) : .status(204) }) { receiver in
                let sink = try WebhookSink(url: receiver.url, secrets: [try WebhookSecret("whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=")])
                do {
                    try await body(sink, { refusing.store($0, ordering: .relaxed) }) {
                        let decoder = JSONCoding.makeDecoder()
                        return try receiver.acceptedBodies.map { try Arrival(decoder.decode(StatusChange.self, from: $0)) }
                    }
                } catch {
                    try? await sink.shutdown()
                    throw error
                }
                try? await sink.shutdown()
            }
        }
    }
}
