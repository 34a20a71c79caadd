import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// The promise behind every `204`: a callback acknowledged before `kill -9` is in the
/// store after a restart, and reaches every sink.
@Suite("Crash and restart")
struct CrashRecoveryTests {
    static let token = "crash-test-token"
    static let total = 1_200
    static let killAfter = 500

    @Test func acknowledgedCallbacksSurviveSIGKILLAndReachEverySink() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await LocalReceiver.with { receiver in
            let arguments = [
                "--data-dir", directory.path("data"), "--event-log", directory.path("log.jsonl"),
                "--sink", "file=\(directory.path("archive/events.jsonl"));fsync=batch",
                "--sink", "webhook=\(receiver.url)",
            ]
            let sids = (0..<Self.total).map { CallbackFixtures.sid(0xc0000 + $0) }
            let acknowledged = Acknowledgements()

            // Stream callbacks at the first instance and kill it (SIGKILL) mid-stream.
            let first = try await TidingsProcess(
                arguments: arguments, environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                standardOutput: directory.url("stdout-1.jsonl"))
            let client = CallbackClient(port: first.port, authToken: Self.token)
            await client.postSent(to: sids, indices: Array(0..<Self.total)) { index in
                if acknowledged.insert(index) == Self.killAfter { first.stop(with: SIGKILL) }
            }
            let beforeCrash = acknowledged.indices
            #expect(beforeCrash.count >= Self.killAfter)
            #expect(beforeCrash.count < Self.total, "the kill came after the last callback")

            // Restart on the same data and send what was not acknowledged, as Twilio would retry.
            let second = try await TidingsProcess(
                arguments: arguments, environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                standardOutput: directory.url("stdout-2.jsonl"))
            defer { second.stop() }
            let again = CallbackClient(port: second.port, authToken: Self.token)
            let retried = (0..<Self.total).filter { !beforeCrash.contains($0) }
            let acknowledgedAfterRestart = Acknowledgements()
            await again.postSent(to: sids, indices: retried) { acknowledgedAfterRestart.insert($0) }
            #expect(acknowledgedAfterRestart.indices == Set(retried), "a retried callback was not acknowledged")

            // Every message is in the store, those acknowledged before the crash included: the
            // listing names each stored message once.
            let stored = try await again.storedSIDs()
            let missing = Set(sids).subtracting(stored)
            #expect(missing.isEmpty, "\(missing.count) acknowledged callbacks are not in the store")

            // Every change reached every sink (repeats allowed, gaps not).
            let expected = Set(sids.map { "\($0)-1" })
            var webhookIDs: Set<String> = []
            try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                webhookIDs = Set(receiver.requests.compactMap { $0.headers["webhook-id"] })
                return webhookIDs.isSuperset(of: expected)
            }
            #expect(expected.subtracting(webhookIDs).isEmpty, "webhook sink misses \(expected.subtracting(webhookIDs).count)")
            let archived = try ids(inJSONLinesUnder: directory.url("archive"))
            #expect(expected.subtracting(archived).isEmpty, "file sink misses \(expected.subtracting(archived).count)")
            // In order: the archive's seqs only ever go back once, where the second process
            // began again from the last cursor it found written; in between they rise.
            let seqs = try self.seqs(inArchive: directory.url("archive/events.jsonl"))
            #expect(seqs.count >= Self.total, "every archived line has its seq")
            let stepsBack = zip(seqs, seqs.dropFirst()).filter { $0 >= $1 }.count
            #expect(stepsBack <= 1, "the file sink's changes went back \(stepsBack) times: not in order")
            let logged = try self.sids(inLogSinkFile: directory.url("log.jsonl"))
            #expect(Set(sids).subtracting(logged).isEmpty, "log sink misses \(Set(sids).subtracting(logged).count)")
        }
    }

    /// The `id`s of every JSON line in every file under `folder` (the active file and the rotated ones).
    func ids(inJSONLinesUnder folder: URL) throws -> Set<String> {
        var ids: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                if let id = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String {
                    ids.insert(id)
                }
            }
        }
        return ids
    }

    /// The `seq` of every line of the file sink's active file, in the order written (the
    /// test writes far less than a file holds, so no file was closed).
    func seqs(inArchive file: URL) throws -> [Int64] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["seq"] as? Int64
        }
    }

    /// The SIDs the log sink wrote to `file`.
    func sids(inLogSinkFile file: URL) throws -> Set<String> {
        Set(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["sid"] as? String
        })
    }
}

/// SIGTERM under load: the server stops taking new requests, finishes those it has read,
/// and every callback it acknowledged is in the store after a restart.
@Suite("Graceful stop under load")
struct GracefulStopTests {
    static let token = "sigterm-test-token"
    static let total = 1_000
    static let stopAfter = 300

    @Test func acknowledgedCallbacksAreStoredAfterSIGTERMUnderLoad() async throws {
        try await stopUnderLoad(environment: [:])
    }

    /// With traces on and a collector that takes each export and never answers: exports
    /// time out (`OTEL_EXPORTER_OTLP_TIMEOUT`, 3 s by default), callbacks go on, and the
    /// stop waits for the last export at most `OTEL_BSP_EXPORT_TIMEOUT` (5 s by default), so
    /// the server still ends by itself within the 10 s a stop gives it before SIGKILL.
    @Test func aCollectorThatNeverAnswersNeitherCostsCallbacksNorHoldsTheStop() async throws {
        try await LocalReceiver.with(answer: { _ in .stall(.seconds(8)) }) { collector in
            try await stopUnderLoad(environment: [
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "20",
            ])
            #expect(!collector.requests.isEmpty, "the exporter reached the collector")
        }
    }

    /// Posts callbacks to a server started with `environment`, sends it SIGTERM after
    /// ``stopAfter`` were acknowledged, and checks that it ended by itself and that a server
    /// started again on its data holds every callback it acknowledged.
    private func stopUnderLoad(environment: [String: String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = ["--data-dir", directory.path("data")]
        let sids = (0..<Self.total).map { CallbackFixtures.sid(0xd0000 + $0) }
        let acknowledged = Acknowledgements()
        let first = try await TidingsProcess(
            arguments: arguments, environment: ["TIDINGS_AUTH_TOKEN": Self.token].merging(environment) { $1 },
            standardOutput: directory.url("stdout-1.jsonl"))
        let client = CallbackClient(port: first.port, authToken: Self.token)
        await client.postSent(to: sids, indices: Array(0..<Self.total)) { index in
            if acknowledged.insert(index) == Self.stopAfter {
                Task.detached { first.stop(with: SIGTERM) }
            }
        }
        let beforeStop = acknowledged.indices
        #expect(beforeStop.count >= Self.stopAfter)
        #expect(beforeStop.count < Self.total, "the stop came after the last callback")
        #expect(first.hasEnded(within: .seconds(10)) && first.terminationStatus == 0, "it ended by itself, with 0")

        let second = try await TidingsProcess(
            arguments: arguments, environment: ["TIDINGS_AUTH_TOKEN": Self.token], standardOutput: directory.url("stdout-2.jsonl"))
        defer { second.stop() }
        let again = CallbackClient(port: second.port, authToken: Self.token)
        let stored = try await again.storedSIDs()
        let missing = beforeStop.filter { !stored.contains(sids[$0]) }.count
        #expect(missing == 0, "\(missing) callbacks acknowledged before SIGTERM are not in the store")
    }
}
