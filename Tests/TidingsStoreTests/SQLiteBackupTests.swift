import Foundation
import GRDB
import Synchronization
import Testing
import TidingsCore
@testable import TidingsSQLite
import TidingsTestSupport

/// `SQLiteBackup`: a copy of a store taken while another task keeps recording in it is a
/// consistent data directory holding everything committed before the copy began; and the
/// copy refuses what it must, leaving nothing half-written.
@Suite("SQLiteBackup")
struct SQLiteBackupTests {
    typealias Fixture = CallbackFixtures

    @Test("a backup taken while reports are being recorded is consistent and holds every earlier record")
    func backupUnderConcurrentRecording() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.appending(path: "data")
            let store = try SQLiteStatusStore(directory: data)
            // Committed before: 200 messages sent, every other one delivered since.
            let early = (0..<200).map(Fixture.sid)
            for result in await store.recordConcurrently(try early.map { try Fixture.callback(sid: $0, status: "sent") }) {
                _ = try result.get()
            }
            for result in await store.recordConcurrently(
                try early.enumerated().filter { $0.offset.isMultiple(of: 2) }.map {
                    try Fixture.callback(sid: $0.element, status: "delivered")
                }) {
                _ = try result.get()
            }

            // Meanwhile: a recorder committing new messages, and updates to earlier ones, in
            // groups of 16 at a time, until told to stop.
            let recorded = Mutex<Set<String>>([])
            let stop = Atomic<Bool>(false)
            let recorder = Task {
                var next = 10_000
                while !stop.load(ordering: .relaxed) {
                    let sids = (next..<next + 16).map(Fixture.sid)
                    let callbacks = try sids.map { try Fixture.callback(sid: $0, status: "sent") }
                        + [try Fixture.callback(sid: Fixture.sid(next - 16 >= 10_000 ? next - 16 : 10_000), status: "delivered")]
                    for result in await store.recordConcurrently(callbacks) {
                        let outcome = try result.get()
                        recorded.withLock { _ = $0.insert(outcome.record.sid) }
                    }
                    next += 16
                }
            }
            defer { stop.store(true, ordering: .relaxed) }
            let recording = try await eventually { recorded.withLock { $0.count } >= 64 }
            try #require(recording, "the recorder committed nothing")
            let committedBefore = recorded.withLock { $0 }.union(early)
            let documentsBefore = try await early.asyncMap { try #require(try await store.messageDocument(sid: $0)) }

            let copyDirectory = directory.appending(path: "backups/copy")
            let copy = try await Self.offThePool { try SQLiteBackup.copy(from: data, to: copyDirectory) }
            stop.store(true, ordering: .relaxed)
            try await recorder.value

            // A data directory holding one self-contained file.
            #expect(copy.directoryPath == copyDirectory.path(percentEncoded: false))
            #expect(try FileManager.default.contentsOfDirectory(atPath: copy.directoryPath) == [SQLiteStatusStore.fileName])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending(path: "backups").path) == ["copy"])

            var configuration = Configuration()
            configuration.readonly = true
            let database = try DatabaseQueue(
                path: copyDirectory.appending(path: SQLiteStatusStore.fileName).path, configuration: configuration)
            let check = try await database.read { db in
                (
                    integrity: try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                    journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    sids: Set(try String.fetchAll(db, sql: "SELECT sid FROM messages")),
                    seqs: try Int64.fetchAll(db, sql: "SELECT seq FROM outbox ORDER BY seq"),
                    latestSeq: try OutboxTable.latestSeq(in: db),
                    outboxSIDs: Set(try String.fetchAll(db, sql: "SELECT DISTINCT json_extract(change, '$.sid') FROM outbox")),
                    // Messages whose status is not that of their latest change in the outbox.
                    disagreeing: try Int.fetchOne(db, sql: """
                        SELECT COUNT(*) FROM messages AS m
                        WHERE m.status IS NOT (
                            SELECT json_extract(o.change, '$.status') FROM outbox AS o
                            WHERE json_extract(o.change, '$.sid') = m.sid ORDER BY o.seq DESC LIMIT 1)
                        """) ?? -1
                )
            }
            try database.close()
            #expect(check.integrity == ["ok"])
            #expect(check.journalMode == "delete")
            let missing = committedBefore.subtracting(check.sids)
            #expect(missing.isEmpty, "\(missing.count) records committed before the backup began are not in it")
            #expect(copy.messages == check.sids.count)
            #expect(check.seqs == Array(1...check.latestSeq), "the outbox has gaps or rows past its counter")
            #expect(copy.latestSeq == check.latestSeq)
            #expect(check.outboxSIDs == check.sids)
            #expect(check.disagreeing == 0)

            // The copy opens as a store: the records as they were, the next change numbered on.
            let restored = try SQLiteStatusStore(directory: copyDirectory)
            for (sid, document) in zip(early, documentsBefore) {
                #expect(try await restored.messageDocument(sid: sid) == document)
            }
            let next = try await restored.record(
                try Fixture.callback(sid: Fixture.sid(99_999), status: "sent"), receivedAt: Fixture.time(0))
            #expect(next.change?.seq == check.latestSeq + 1)
            // And the original kept every record the recorder was told of.
            let stored = try await recorded.withLock { $0 }.asyncMap { try await store.message(sid: $0) != nil }
            #expect(!stored.contains(false))
        }
    }

    @Test("an existing destination is refused, or replaced with replacing: true when it is an earlier backup")
    func existingDestination() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.appending(path: "data")
            let store = try SQLiteStatusStore(directory: data)
            _ = try await store.record(try Fixture.callback(sid: Fixture.sid(1), status: "sent"), receivedAt: Fixture.time(0))
            let destination = directory.appending(path: "copy")
            _ = try SQLiteBackup.copy(from: data, to: destination)

            _ = try await store.record(try Fixture.callback(sid: Fixture.sid(2), status: "sent"), receivedAt: Fixture.time(1))
            let refusal = try #require(throws: StatusStoreError.self) { try SQLiteBackup.copy(from: data, to: destination) }
            #expect(refusal.description.contains("already exists"))
            #expect(refusal.description.contains("--force"))
            #expect(try await SQLiteStatusStore(directory: destination).message(sid: Fixture.sid(2)) == nil)

            let replaced = try SQLiteBackup.copy(from: data, to: destination, replacing: true)
            #expect(replaced.messages == 2)
            #expect(try await SQLiteStatusStore(directory: destination).message(sid: Fixture.sid(2)) != nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["copy", "data"])

            // Never a directory holding anything else, nor the data directory itself.
            let other = directory.appending(path: "documents")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: other.appending(path: "notes.txt").path, contents: Data("keep".utf8))
            let notOurs = try #require(throws: StatusStoreError.self) {
                try SQLiteBackup.copy(from: data, to: other, replacing: true)
            }
            #expect(notOurs.description.contains("not a Tidings data directory"))
            #expect(FileManager.default.fileExists(atPath: other.appending(path: "notes.txt").path))
            let itself = try #require(throws: StatusStoreError.self) {
                try SQLiteBackup.copy(from: data, to: data, replacing: true)
            }
            #expect(itself.description.contains("being copied"))
        }
    }

    @Test("no data directory, or no store in it, is said so")
    func missingSource() async throws {
        try await TemporaryDirectory.with { directory in
            let destination = directory.appending(path: "copy")
            let absent = try #require(throws: StatusStoreError.self) {
                try SQLiteBackup.copy(from: directory.appending(path: "nowhere"), to: destination)
            }
            #expect(absent.description.contains("there is no data directory"))
            let empty = directory.appending(path: "empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            let noStore = try #require(throws: StatusStoreError.self) { try SQLiteBackup.copy(from: empty, to: destination) }
            #expect(noStore.description.contains("holds no store"))
            #expect(!FileManager.default.fileExists(atPath: destination.path))
        }
    }

    @Test("a full disk is said so, and leaves nothing behind")
    func fullDisk() async throws {
        try await TemporaryDirectory.with { directory in
            let data = directory.appending(path: "data")
            let store = try SQLiteStatusStore(directory: data)
            for result in await store.recordConcurrently(try (0..<300).map { try Fixture.callback(sid: Fixture.sid($0), status: "sent") }) {
                _ = try result.get()
            }
            let backups = directory.appending(path: "backups")
            let error = try #require(throws: StatusStoreError.self) {
                try SQLiteBackup.copy(from: data, to: backups.appending(path: "copy"), replacing: false, pageLimit: 4)
            }
            #expect(error.description.contains("is full"))
            #expect(error.description.contains("free some space"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups.path).isEmpty)
        }
    }

    /// Runs the blocking `body` on a thread of its own, off the tasks' shared threads that
    /// the recorder needs meanwhile.
    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension Collection where Element: Sendable {
    /// `map` with an asynchronous transform, one element after the other.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
