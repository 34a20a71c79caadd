import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
@testable import TidingsSinks

/// A full disk cuts a write short: whatever the sink, its file must hold whole lines only,
/// so that the dispatcher's retry of the batch starts on a line of its own.
@Suite("Sinks on a full disk")
struct FullDiskTests {
    /// The sinks that append to a file.
    enum FileKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case log, file

        var testDescription: String { rawValue }

        func sink(at path: String, on disk: SimulatedDisk) throws -> any EventSink {
            switch self {
            case .log:
                try LogSink.appending(toFile: path, calls: disk.calls)
            case .file:
                try FileSink(
                    path: path, rotation: .never, sync: .everyBatch, name: "file", logger: .init(label: "test"),
                    now: { Date() }, calls: disk.calls)
            }
        }
    }

    /// Room for one line of the batch and part of the next, whatever the sink's format.
    static let roomForALineAndAHalf = 250

    @Test("the batch a full disk cut short is cut back to the last whole line, and its retry follows that line", arguments: FileKind.allCases)
    func cutBack(kind: FileKind) async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let disk = SimulatedDisk()
            let sink = try kind.sink(at: file.path, on: disk)
            try await sink.deliver(ChangeFixtures.batch(1...2))
            let before = try Data(contentsOf: file)

            disk.leaveRoom(Self.roomForALineAndAHalf)
            let error = await #expect(throws: (any Error).self) { try await sink.deliver(ChangeFixtures.batch(3...6)) }
            #expect((error as? SinkDeliveryError)?.isPermanent == false, "a full disk is worth retrying: \(String(describing: error))")
            #expect(try Data(contentsOf: file) == before, "what the short write left was cut back")

            disk.leaveRoom(nil)
            try await sink.deliver(ChangeFixtures.batch(3...6))
            #expect(try wholeLineIDs(of: file) == ChangeFixtures.batch(1...6).map(\.id))
        }
    }

    @Test("when cutting back fails too, the next delivery cuts back before it writes", arguments: FileKind.allCases)
    func cutBackLater(kind: FileKind) async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let disk = SimulatedDisk()
            let sink = try kind.sink(at: file.path, on: disk)
            try await sink.deliver(ChangeFixtures.batch(1...2))
            let before = try Data(contentsOf: file)

            disk.leaveRoom(Self.roomForALineAndAHalf)
            disk.failTruncation(true)
            await #expect(throws: (any Error).self) { try await sink.deliver(ChangeFixtures.batch(3...6)) }
            let broken = try Data(contentsOf: file)
            #expect(broken.count == before.count + Self.roomForALineAndAHalf, "a real partial write, left behind")

            // Room again, but the file still cannot be cut: nothing may follow the broken line.
            disk.leaveRoom(nil)
            let error = await #expect(throws: (any Error).self) { try await sink.deliver(ChangeFixtures.batch(3...6)) }
            #expect((error as? SinkDeliveryError)?.isPermanent == false)
            #expect(try Data(contentsOf: file) == broken, "nothing written after the broken line")

            disk.failTruncation(false)
            try await sink.deliver(ChangeFixtures.batch(3...6))
            #expect(try wholeLineIDs(of: file) == ChangeFixtures.batch(1...6).map(\.id))
        }
    }

    @Test(
        "on a real file system that fills up, the file holds whole lines only, and the retry completes it",
        .enabled(if: TinyFileSystem.isAvailable, "needs to mount a tmpfs (root on Linux)"),
        arguments: FileKind.allCases)
    func realFullDisk(kind: FileKind) async throws {
        try await TinyFileSystem.with(kibibytes: 16) { fileSystem in
            let file = fileSystem.folder.appending(path: "events.jsonl")
            let sink = try kind.sink(at: file.path, on: SimulatedDisk())  // no limit of its own
            var delivered: [StatusChange] = []
            var failed: [StatusChange]?
            // Batches of 10 (some 2.5 KiB): 16 KiB run out in the middle of one, and of a line.
            for first in stride(from: 1, to: 400, by: 10) {
                let batch = ChangeFixtures.batch(first..<first + 10)
                do {
                    try await sink.deliver(batch)
                    delivered += batch
                } catch {
                    #expect((error as? SinkDeliveryError)?.isPermanent == false)
                    failed = batch
                    break
                }
            }
            let batch = try #require(failed, "the file system filled up")
            #expect(try wholeLineIDs(of: file) == delivered.map(\.id), "the batch that did not fit was cut back")

            try fileSystem.resize(kibibytes: 1024)
            try await sink.deliver(batch)
            #expect(try wholeLineIDs(of: file) == (delivered + batch).map(\.id))
        }
    }

    /// The `id` of every line of `file`, after checking that the file is whole lines of
    /// JSON objects only: no fragment, no line without its end.
    private func wholeLineIDs(of file: URL) throws -> [String] {
        let data = try Data(contentsOf: file)
        #expect(data.last == UInt8(ascii: "\n"), "the file ends with a whole line")
        return try data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map { line in
            let object = try #require(
                try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                "not a JSON object: \(String(decoding: line, as: UTF8.self))")
            return try #require(object["id"] as? String)
        }
    }
}
