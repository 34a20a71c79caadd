import Foundation
import Synchronization
import Testing
import TidingsCore
import TidingsTestSupport
@testable import TidingsSinks

@Suite("FileSink")
struct FileSinkTests {
    /// The size of the longest line among ``ChangeFixtures/change(_:)`` 1 to 40 (a
    /// `queued` line is shorter than a `delivered` one).
    private let longestLine = Int64(
        try! (1...40).map { try JSONCoding.makeEncoder().encode(ChangeFixtures.change($0)).count + 1 }.max()!)

    @Test("rotation by size loses no line: the closed files, then the active one, hold every change in order")
    func sizeRotationLosesNothing() async throws {
        try await TemporaryDirectory.with { folder in
            let path = folder.appending(path: "events.jsonl").path
            let sink = try FileSink(
                path: path, rotation: FileRotation(maximumBytes: 3 * longestLine, retainedFiles: 100))
            let batches = stride(from: 1, through: 30, by: 2).map { ChangeFixtures.batch($0...$0 + 1) }
                + [ChangeFixtures.batch(31...40)]  // larger than a file: kept whole, in a file of its own

            for batch in batches {
                try await sink.deliver(batch)
            }

            // Two batches of two lines never fit in three lines' room, so each batch of two
            // but the last closes the file before it.
            let closed = try closedFiles(in: folder)
            #expect(closed.count == 15)
            var archived: [StatusChange] = []
            for file in closed + [URL(fileURLWithPath: path)] {
                archived += try jsonLines(of: file, as: StatusChange.self)
            }
            #expect(archived == batches.flatMap { $0 })
            for file in closed {
                #expect(try fileSize(file) <= 3 * longestLine)
            }
            #expect(try jsonLines(of: URL(fileURLWithPath: path), as: StatusChange.self).count == 10)
        }
    }

    @Test("rotation keeps at most the retained number of closed files, and the newest lines")
    func retention() async throws {
        try await TemporaryDirectory.with { folder in
            let path = folder.appending(path: "events.jsonl").path
            let sink = try FileSink(path: path, rotation: FileRotation(maximumBytes: 2 * longestLine, retainedFiles: 3))

            for number in 1...25 {
                try await sink.deliver([ChangeFixtures.change(number)])
            }

            let closed = try closedFiles(in: folder)
            #expect(closed.count == 3)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 4)
            var kept: [StatusChange] = []
            for file in closed + [URL(fileURLWithPath: path)] {
                kept += try jsonLines(of: file, as: StatusChange.self)
            }
            // What is kept is the newest changes, without a gap: at least one per file.
            #expect(kept.count >= 4)
            #expect(kept == ChangeFixtures.batch(26 - kept.count...25))
        }
    }

    @Test("each line is the whole change, id and seq included, and parses back to it")
    func linesParseBack() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let sink = try FileSink(path: file.path)
            let changes = [ChangeFixtures.everyField] + ChangeFixtures.batch(1...3)

            try await sink.deliver(changes)

            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.hasSuffix("\n"))
            let lines = text.split(separator: "\n")
            #expect(lines.count == changes.count)
            let first = try #require(
                try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(first["id"] as? String == ChangeFixtures.everyField.id)
            #expect(first["seq"] as? Int == 42)
            #expect(try jsonLines(of: file, as: StatusChange.self) == changes)
        }
    }

    @Test("both fsync policies write every batch", arguments: FileSyncPolicy.allCases)
    func syncPolicies(policy: FileSyncPolicy) async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let sink = try FileSink(path: file.path, sync: policy)

            try await sink.deliver(ChangeFixtures.batch(1...2))
            try await sink.deliver(ChangeFixtures.batch(3...3))

            #expect(try jsonLines(of: file, as: StatusChange.self) == ChangeFixtures.batch(1...3))
        }
    }

    @Test("a new UTC day closes the file under the name of the day it holds")
    func dailyRotation() async throws {
        try await TemporaryDirectory.with { folder in
            let path = folder.appending(path: "events.jsonl").path
            let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18T11:06:40Z
            let sink = try FileSink(
                path: path, rotation: FileRotation(maximumBytes: nil, daily: true), sync: .everyBatch, name: "file",
                logger: .init(label: "test"), now: { clock.now })

            try await sink.deliver(ChangeFixtures.batch(1...2))
            clock.advance(by: 12 * 3600)  // 2026-11-18T23:06:40Z
            try await sink.deliver(ChangeFixtures.batch(3...3))
            clock.advance(by: 3600)  // 2026-11-19T00:06:40Z
            try await sink.deliver(ChangeFixtures.batch(4...5))

            #expect(try closedFiles(in: folder).map(\.lastPathComponent) == ["events-2026-11-18.jsonl"])
            #expect(
                try jsonLines(of: folder.appending(path: "events-2026-11-18.jsonl"), as: StatusChange.self)
                    == ChangeFixtures.batch(1...3))
            #expect(try jsonLines(of: URL(fileURLWithPath: path), as: StatusChange.self) == ChangeFixtures.batch(4...5))
        }
    }

    @Test("a file left from an earlier day is closed under that day's name at the first batch")
    func dailyRotationAfterRestart() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            try await FileSink(path: file.path).deliver(ChangeFixtures.batch(1...1))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_794_900_000)], ofItemAtPath: file.path)  // 2026-11-17

            let sink = try FileSink(path: file.path, rotation: FileRotation(maximumBytes: nil, daily: true))
            try await sink.deliver(ChangeFixtures.batch(2...2))

            #expect(
                try jsonLines(of: folder.appending(path: "events-2026-11-17.jsonl"), as: StatusChange.self)
                    == ChangeFixtures.batch(1...1))
            #expect(try jsonLines(of: file, as: StatusChange.self) == ChangeFixtures.batch(2...2))
        }
    }

    @Test("a batch that cannot be written throws a retryable error that names the file")
    func writeFailure() async throws {
        let sink = try FileSink(path: "/dev/full", rotation: .never, sync: .none)

        let error = try await #require(throws: SinkDeliveryError.self) {
            try await sink.deliver(ChangeFixtures.batch(1...2))
        }

        #expect(!error.isPermanent)
        #expect(error.description.contains("/dev/full"))
    }

    @Test("settings it cannot work with are refused when the sink is made")
    func setupErrors() async throws {
        try await TemporaryDirectory.with { folder in
            let path = folder.appending(path: "events.jsonl").path
            #expect(throws: SinkSetupError.self) {
                try FileSink(path: path, rotation: FileRotation(retainedFiles: 0))
            }
            #expect(throws: SinkSetupError.self) {
                try FileSink(path: path, rotation: FileRotation(maximumBytes: 0))
            }
            try Data().write(to: folder.appending(path: "not-a-folder"))
            #expect(throws: SinkSetupError.self) {
                try FileSink(path: folder.appending(path: "not-a-folder/events.jsonl").path)
            }
        }
    }

    /// The closed files beside `events.jsonl` in `folder`, oldest first: by their stamp,
    /// then by the number that makes a name unique (none, `-2`, `-3`, …).
    private func closedFiles(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0 != "events.jsonl" }
            .map { name -> (stamp: String, number: Int, name: String) in
                let middle = name.dropFirst("events-".count).dropLast(".jsonl".count)
                let stampLength = middle.contains("T") ? 18 : 10
                return (String(middle.prefix(stampLength)), Int(middle.dropFirst(stampLength + 1)) ?? 1, name)
            }
            .sorted { ($0.stamp, $0.number) < ($1.stamp, $1.number) }
            .map { folder.appending(path: $0.name) }
    }

    private func fileSize(_ url: URL) throws -> Int64 {
        try (FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? -1
    }
}

/// A clock that moves only when told.
final class TestClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date) {
        time = Mutex(start)
    }

    var now: Date { time.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        time.withLock { $0 += seconds }
    }
}
