import Foundation
import Synchronization
import Testing
import TidingsTestSupport

/// `tidings backup` against a real `tidings serve` taking signed callbacks: the copy, made
/// mid-stream, starts as a data directory with every message acknowledged before the
/// backup began, and the server never fails a callback meanwhile.
@Suite("Backup of a live store")
struct BackupTests {
    static let token = "backup-test-token"
    /// Acknowledged callbacks before the backup starts, and after it ends, at least.
    static let before = 300
    static let after = 200

    @Test func backupMidStreamStartsAsADataDirectoryWithEveryAcknowledgedMessage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path("data")
        let copy = directory.path("backups/copy")
        let server = try await TidingsProcess(
            arguments: ["--data-dir", data], environment: ["TIDINGS_AUTH_TOKEN": Self.token],
            standardOutput: directory.url("stdout-1.jsonl"))
        defer { server.stop() }
        let client = CallbackClient(port: server.port, authToken: Self.token)
        let stream = CallbackStream(limit: 40_000)

        // Sixteen senders stream `sent` callbacks for new messages until told to stop; the
        // backup runs once `before` are acknowledged, and the stream goes on past its end.
        async let sending: Void = stream.send(with: client, workers: 16)
        let backup: (result: CommandResult, acknowledgedBefore: Set<Int>, window: ClosedRange<ContinuousClock.Instant>)
        do {
            defer { stream.stop() }
            let started = try await eventually(timeout: .seconds(60)) { stream.acknowledged.count >= Self.before }
            try #require(started, "the server acknowledged \(stream.acknowledged.count) callbacks; failures: \(stream.failures.prefix(3))")
            let acknowledgedBefore = Set(stream.acknowledged.keys)
            let start = ContinuousClock.now
            let result = try await TidingsCommand.run(["backup", "--to", copy, "--data-dir", data], timeout: .seconds(60))
            let end = ContinuousClock.now
            backup = (result, acknowledgedBefore, start...end)
            let countAtEnd = stream.acknowledged.count
            let continued = try await eventually(timeout: .seconds(60)) { stream.acknowledged.count >= countAtEnd + Self.after }
            #expect(continued, "the server stopped acknowledging callbacks after the backup")
        }
        await sending

        #expect(backup.result.exitStatus == 0, "tidings backup failed:\n\(backup.result.standardError)")
        #expect(backup.result.standardOutput.contains("tidings serve --data-dir \(copy)"))
        #expect(stream.failures.isEmpty, "the server failed \(stream.failures.count) callbacks: \(stream.failures.prefix(3))")
        let duringBackup = stream.acknowledged.values.filter { backup.window.contains($0) }.count
        #expect(duringBackup > 0, "no callback was acknowledged while the backup ran: it did not run mid-stream")
        let acknowledged = Set(stream.acknowledged.keys)
        server.stop()

        // The copy is a data directory serve starts on, with every message acknowledged before
        // the backup began, and none that was never sent.
        let restored = try await TidingsProcess(
            arguments: ["--data-dir", copy], environment: ["TIDINGS_AUTH_TOKEN": Self.token],
            standardOutput: directory.url("stdout-copy.jsonl"))
        defer { restored.stop() }
        let inCopy = try await CallbackClient(port: restored.port, authToken: Self.token).storedSIDs()
        let missing = backup.acknowledgedBefore.map(CallbackStream.sid).filter { !inCopy.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) callbacks acknowledged before the backup began are not in the copy")
        #expect(inCopy.isSubset(of: Set((0..<stream.sent).map(CallbackStream.sid))))

        // The original, restarted on its own data directory, lost nothing it acknowledged.
        let original = try await TidingsProcess(
            arguments: ["--data-dir", data], environment: ["TIDINGS_AUTH_TOKEN": Self.token],
            standardOutput: directory.url("stdout-2.jsonl"))
        defer { original.stop() }
        let inOriginal = try await CallbackClient(port: original.port, authToken: Self.token).storedSIDs()
        let lost = acknowledged.map(CallbackStream.sid).filter { !inOriginal.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged callbacks are not in the original store after a restart")

        // A backup never replaces an existing directory unasked, nor one a server uses.
        let again = try await TidingsCommand.run(["backup", "--to", copy, "--data-dir", data])
        #expect(again.exitStatus != 0)
        #expect(again.standardError.contains("already exists"), "\(again.standardError)")
        let inUse = try await TidingsCommand.run(["backup", "--to", copy, "--data-dir", data, "--force"])
        #expect(inUse.exitStatus != 0)
        #expect(inUse.standardError.contains("a tidings serve is using it"), "\(inUse.standardError)")
        restored.stop()
        let replaced = try await TidingsCommand.run(["backup", "--to", copy, "--data-dir", data, "--force"])
        #expect(replaced.exitStatus == 0, "\(replaced.standardError)")
        #expect(replaced.standardOutput.contains("\(acknowledged.count) messages"), "\(replaced.standardOutput)")
    }

    @Test func refusalsSayWhatToDo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let copy = directory.path("copy")

        let noDirectory = try await TidingsCommand.run(["backup", "--to", copy, "--data-dir", directory.path("nowhere")])
        #expect(noDirectory.exitStatus != 0)
        #expect(noDirectory.standardError.contains("there is no data directory \(directory.path("nowhere"))"))

        try FileManager.default.createDirectory(atPath: directory.path("empty"), withIntermediateDirectories: true)
        let noStore = try await TidingsCommand.run(
            ["backup", "--to", copy], environment: ["TIDINGS_DATA_DIR": directory.path("empty")])
        #expect(noStore.exitStatus != 0)
        #expect(noStore.standardError.contains("holds no store"))

        let postgres = try await TidingsCommand.run(
            ["backup", "--to", copy, "--store", "postgres://tidings@db.example.com/tidings?sslmode=require"])
        #expect(postgres.exitStatus == 2)
        #expect(postgres.standardError.contains(
            "pg_dump --format=custom --file=tidings.dump 'postgres://tidings@db.example.com:5432/tidings?sslmode=require'"))
        #expect(postgres.standardError.contains("pg_restore"))
        #expect(!FileManager.default.fileExists(atPath: copy))
    }
}

/// The callbacks of one stream: which message comes next, which were acknowledged and
/// when, which failed.
private final class CallbackStream: Sendable {
    private struct State {
        var next = 0
        var stopped = false
        var acknowledged: [Int: ContinuousClock.Instant] = [:]
        var failures: [String] = []
    }

    private let state = Mutex(State())
    private let limit: Int

    /// At most `limit` messages are sent, however long the stream is left running.
    init(limit: Int) {
        self.limit = limit
    }

    /// The SID of the `index`-th message.
    static func sid(_ index: Int) -> String { CallbackFixtures.sid(0xb0000 + index) }

    /// Posts a `sent` callback for one new message after the other from each of `workers`
    /// senders until ``stop()`` (or the limit); a sender stops at its first failure.
    func send(with client: CallbackClient, workers: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while !Task.isCancelled, let index = self.take() {
                        let form = CallbackFixtures.parameters(sid: Self.sid(index), status: "sent")
                        do {
                            let status = try await client.post(form)
                            guard status == 204 else { return self.fail("\(Self.sid(index)) answered \(status)") }
                            self.state.withLock { $0.acknowledged[index] = ContinuousClock.now }
                        } catch {
                            return self.fail("\(Self.sid(index)): \(error)")
                        }
                    }
                }
            }
        }
    }

    func stop() { state.withLock { $0.stopped = true } }

    /// When each acknowledged message was acknowledged, by index.
    var acknowledged: [Int: ContinuousClock.Instant] { state.withLock { $0.acknowledged } }
    var failures: [String] { state.withLock { $0.failures } }
    /// How many messages were sent (or are being sent).
    var sent: Int { state.withLock { $0.next } }

    private func take() -> Int? {
        state.withLock { state in
            guard !state.stopped, state.next < limit else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    private func fail(_ reason: String) {
        state.withLock { $0.failures.append(reason) }
    }
}
