import Foundation
import Synchronization
import Testing
import TidingsCore
import TidingsSinks
import TidingsTestSupport

@Suite("LogSink")
struct LogSinkTests {
    @Test("one line per change, with every field an on-call engineer greps for")
    func lineFields() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let sink = try LogSink.appending(toFile: file.path)
            let change = ChangeFixtures.everyField

            let quiet = StatusChange(
                id: "\(CallbackFixtures.sid(5))-stale-1", seq: 43, receivedAt: CallbackFixtures.time(8),
                source: nil, sid: CallbackFixtures.sid(5), status: .sent, previousStatus: .sent, reportedStatus: .sent, errorCode: nil,
                errorMessage: nil, channel: .sms, to: CallbackFixtures.to, applied: false, conflict: false, stale: true)
            try await sink.deliver([change, quiet])

            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2)
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(fields["ts"] as? String == "2026-11-18T11:06:47.000Z")
            #expect(fields["sid"] as? String == change.sid)
            #expect(fields["source"] as? String == "event-stream")
            #expect(fields["status"] as? String == "undelivered")
            #expect(fields["previousStatus"] as? String == "sent")
            #expect(fields["reportedStatus"] as? String == "sent")
            #expect(fields["errorCode"] as? Int == 30003)
            #expect(fields["errorMessage"] as? String == "Unreachable destination handset")
            #expect(fields["channel"] as? String == "whatsapp")
            #expect(fields["to"] as? String == "whatsapp:+15558675310")
            #expect(fields["applied"] as? Bool == false)
            #expect(fields["conflict"] as? Bool == true)
            #expect(fields["id"] as? String == change.id)
            #expect(fields["seq"] as? Int == 42)
            #expect(fields["stale"] as? Bool == false)
            // The README promises "stale": true to every sink, the log's lines included.
            let stale = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
            #expect(stale["stale"] as? Bool == true)
            #expect(stale["source"] == nil, "a stale change carries no report, so no source")
        }
    }

    @Test("a line reads back as the LogSinkLine of its change; a status that was applied has no reportedStatus")
    func linesReadBack() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let changes = ChangeFixtures.batch(1...3)

            try await LogSink.appending(toFile: file.path).deliver(changes)

            let lines = try jsonLines(of: file, as: LogSinkLine.self)
            #expect(lines == changes.map(LogSinkLine.init))
            #expect(lines.allSatisfy { $0.reportedStatus == nil })
        }
    }

    @Test("a path that cannot be opened is refused when the sink is made")
    func unopenable() async throws {
        try await TemporaryDirectory.with { folder in
            try Data().write(to: folder.appending(path: "not-a-folder"))
            #expect(throws: SinkSetupError.self) {
                try LogSink.appending(toFile: folder.appending(path: "not-a-folder/events.jsonl").path)
            }
        }
    }
}

/// `tidings serve | consumer` with a consumer that stops reading: the log sink's writes
/// block on their own queue, never on the cooperative pool the callback route runs on.
@Suite("LogSink: a stalled pipe")
struct LogSinkStalledPipeTests {
    @Test func aPipeNobodyReadsBlocksTheSinkNotThePool() async throws {
        // More stalled sinks than the pool has threads: were the writes on the pool, every
        // thread of it would sit in write(2) and no other task could run.
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let pipes = (0..<count).map { _ in Pipe() }
        let batch = (0..<2_000).map(ChangeFixtures.change)  // far more than a pipe's 64 KiB
        let deliveries = pipes.map { pipe in
            let sink = LogSink(handle: pipe.fileHandleForWriting)
            return Task { try await sink.deliver(batch) }
        }

        // A watchdog on a thread of its own: if the pool stays blocked for 60 s, it drains
        // the pipes so the test ends (and fails) instead of hanging.
        final class Flag: Sendable {
            private let value = Atomic<Bool>(false)
            func raise() { value.store(true, ordering: .relaxed) }
            var isRaised: Bool { value.load(ordering: .relaxed) }
        }
        let answered = Flag()
        let rescued = Flag()
        let watchdog = Thread {
            let deadline = Date().addingTimeInterval(60)
            while !answered.isRaised, Date() < deadline { usleep(10_000) }
            guard !answered.isRaised else { return }
            rescued.raise()
            for pipe in pipes { Thread { _ = pipe.fileHandleForReading.readDataToEndOfFile() }.start() }
        }
        watchdog.start()

        let value = await Task.detached { 6 * 7 }.value
        answered.raise()
        #expect(value == 42)
        #expect(!rescued.isRaised, "the cooperative pool was blocked by the stalled writes")

        guard !rescued.isRaised else { return }
        // The consumer reads again (on threads of its own: a blocking read must not sit on
        // the pool either): every delivery completes, whole.
        let received = Mutex<[Int: Data]>([:])
        for (index, pipe) in pipes.enumerated() {
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                received.withLock { $0[index] = data }
            }.start()
        }
        for delivery in deliveries { try await delivery.value }
        for pipe in pipes { try pipe.fileHandleForWriting.close() }
        #expect(try await eventually { received.withLock { $0.count } == count })
        for data in received.withLock({ Array($0.values) }) {
            #expect(data.split(separator: UInt8(ascii: "\n")).count == batch.count)
        }
    }
}
