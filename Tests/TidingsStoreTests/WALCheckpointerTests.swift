import Foundation
import GRDB
import Synchronization
import Testing
import TidingsCore
@testable import TidingsSQLite
import TidingsTestSupport

/// The SQLite store's write-ahead log is copied into the database file beside the writer
/// (`WALCheckpointer`), and still stops growing while the writer never stops. When each step
/// is taken is `CheckpointSchedule`'s, tested on its own.
@Suite("WALCheckpointer")
struct WALCheckpointerTests {
    typealias Fixture = CallbackFixtures

    /// The size of one frame of the log: a 24-byte header and a page (SQLite's default 4,096).
    private static let frameBytes = 24 + 4096

    /// Records `count` callbacks one after the other, each in a commit of its own: messages'
    /// first callbacks and later ones, so commits insert and update.
    private func recordOneByOne(_ count: Int, in store: SQLiteStatusStore) async throws {
        for index in 0..<count {
            let status = ["queued", "sent", "delivered"][index % 3]
            let callback = try Fixture.callback(sid: Fixture.sid(index / 3), status: status)
            _ = try await store.record(callback, receivedAt: Fixture.time(index))
        }
    }

    @Test("the log is copied on the checkpointer's thread and starts again, so it stops growing")
    func logStopsGrowing() async throws {
        try await TemporaryDirectory.with { directory in
            let callbacks = 600
            do {
                let store = try SQLiteStatusStore(
                    directory: directory, synchronous: .full, logger: nil, clock: .continuous,
                    checkpointSchedule: CheckpointSchedule(checkpointPages: 8, restartPages: 64))
                try await recordOneByOne(callbacks, in: store)

                #expect(store.checkpointer.completedCheckpoints > 0)
                #expect(store.checkpointer.restarts > 0)
                // Every checkpoint that copied pages synced the database file itself.
                #expect(store.checkpointer.syncedCheckpoints > 0)
                // Every commit writes at least three pages (the message, the outbox, an
                // index), so a log that never started again would hold over 1,800 frames.
                // Copied only beside a writer that never pauses, it would never start
                // again: the writer copying the rest once the log is long is what bounds it.
                let walBytes = try FileManager.default.attributesOfItem(
                    atPath: store.databaseURL.path(percentEncoded: false) + "-wal")[.size] as? Int ?? 0
                #expect(walBytes < 300 * Self.frameBytes, "the log holds \(walBytes / Self.frameBytes) frames")
            }
            let reopened = try SQLiteStatusStore(directory: directory)
            for message in 0..<(callbacks / 3) {
                let record = try #require(try await reopened.message(sid: Fixture.sid(message)))
                #expect(record.status == .delivered)
            }
        }
    }

    @Test("the checkpoint connection syncs at the store's level", arguments: SQLiteSynchronous.allCases)
    func checkpointSyncsAtTheStoresLevel(synchronous: SQLiteSynchronous) async throws {
        // The numbers `PRAGMA synchronous` answers, as SQLite documents them. A checkpoint
        // that did not sync the database file before the log started again could lose, at
        // a power cut, commits the log had made durable.
        let pragmaNumbers: [SQLiteSynchronous: Int] = [.normal: 1, .full: 2]
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory, synchronous: synchronous)
            let level = try await store.checkpointer.connection.read { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(level == pragmaNumbers[synchronous])
        }
    }

    @Test("the checkpointer syncs the database file through SQLite's own handle of it")
    func checkpointerSyncsTheDatabaseFile() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            try await recordOneByOne(3, in: store)
            // Throws when SQLite gives no handle of the file, or its sync fails.
            try await store.checkpointer.connection.writeWithoutTransaction { db in
                try WALCheckpointer.syncDatabaseFile(of: db)
            }
        }
    }

    @Test("a database file that cannot be synced after a copy ends the process, and the next start copies the whole log again")
    func failedSyncEndsTheProcess() async throws {
        // A copy that reached the end of the log was synced by SQLite itself, and the
        // writer may start the log again before the process ends: then nothing is left
        // counted as copied, and the run shows nothing of the restart. Such a run is played
        // again, in a new directory, up to three times.
        var exercised = false
        for _ in 1...3 where !exercised {
            exercised = try await failSyncsInAChildProcess()
        }
        #expect(exercised, "in three runs, the process never ended with copied frames counted")
    }

    /// Runs ``failedSyncEndsTheProcess()`` once; false when the child's log had started
    /// again, with no frame counted as copied.
    private func failSyncsInAChildProcess() async throws -> Bool {
        try await TemporaryDirectory.with { directory in
            let path = directory.path(percentEncoded: false)
            // In a child process: callbacks recorded one by one, each said once acknowledged;
            // from the 30th on, every sync of the database file after a copy fails, as after
            // an I/O error.
            let result = try await #require(
                processExitsWith: .exitCode(WALCheckpointer.failedSyncExitCode),
                observing: [\.standardOutputContent, \.standardErrorContent]
            ) { [path = path as String] in
                let syncs = FailingSyncs()
                let store = try SQLiteStatusStore(
                    directory: URL(fileURLWithPath: path), synchronous: .full, logger: nil, clock: .continuous,
                    checkpointSchedule: CheckpointSchedule(checkpointPages: 8, restartPages: 64),
                    syncFile: syncs.sync)
                // A checkpoint starts every two or three commits; a process that records all
                // of these ends with status 0, which fails the test.
                for index in 0..<3_000 {
                    if index == 30 { syncs.failing.store(true, ordering: .relaxed) }
                    let callback = try Fixture.callback(sid: Fixture.sid(index), status: "sent")
                    _ = try await store.record(callback, receivedAt: Fixture.time(index))
                    // Written at once: the process ends without flushing any buffer.
                    FileHandle.standardOutput.write(Data("acknowledged \(index + 1)\n".utf8))
                }
            }
            #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("could not be synced"))
            let acknowledged = String(decoding: result.standardOutputContent, as: UTF8.self)
                .split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.last ?? 0
            #expect(acknowledged >= 30)

            // The child's index of the log counts copied frames (a checkpoint copied them
            // before its sync failed); the next start rebuilds it with none counted, so the
            // first checkpoint copies the whole log again before it can start over.
            let indexPath = path + "/" + SQLiteStatusStore.fileName + "-shm"
            let before = try Self.logIndex(at: indexPath)
            let reopened = try SQLiteStatusStore(directory: directory)
            let after = try Self.logIndex(at: indexPath)
            #expect(after.frames >= before.frames)
            #expect(after.copiedFrames == 0)
            for index in 0..<acknowledged {
                let record = try await reopened.message(sid: Fixture.sid(index))
                #expect(record?.status == .sent, "acknowledged callback \(index) is missing")
            }
            return before.copiedFrames > 0
        }
    }

    /// The checkpointer's sync of the database file, made to fail from when `failing` is set.
    private final class FailingSyncs: Sendable {
        let failing = Atomic(false)

        func sync(_ db: Database) throws {
            if failing.load(ordering: .relaxed) {
                throw DatabaseError(resultCode: .SQLITE_IOERR_FSYNC)
            }
            try WALCheckpointer.syncDatabaseFile(of: db)
        }
    }

    /// Frames in the log and frames already copied into the database file, as the shared
    /// index of the log (`-shm`) holds them: `mxFrame` at byte 16 of its header and
    /// `nBackfill` at byte 96, in this machine's byte order (SQLite's file-format document,
    /// "WAL-Index Format").
    private static func logIndex(at path: String) throws -> (frames: UInt32, copiedFrames: UInt32) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        func word(at offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        }
        return (word(at: 16), word(at: 96))
    }

    @Test("the writer no longer checkpoints by itself")
    func writerDoesNotCheckpoint() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            // `wal_autocheckpoint` reads the automatic checkpoint's threshold; the WAL hook
            // that replaces it turns it off.
            let automatic = try await store.pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")
            }
            #expect(automatic == 0)
        }
    }
}
