import Benchmark
import Foundation
import TidingsCore
import TidingsSQLite
import TwilioWebhooks

/// The steps every callback takes, each measured alone: checking its signature, parsing
/// its form, one state-machine step, writing and reading its record's document, and
/// storing it.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.metrics = [.wallClock, .throughput, .mallocCountTotal, .instructions]
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)
    Benchmark.defaultConfiguration.maxIterations = 1_000_000

    let url = "https://hooks.example.com/twilio/status"
    let token = "0123456789abcdef0123456789abcdef"
    let sid = "SM" + String(repeating: "0", count: 24) + "0000abcd"
    let body = [
        "SmsSid=\(sid)", "SmsStatus=delivered", "MessageStatus=delivered", "To=%2B15558675310",
        "MessagingServiceSid=MG" + String(repeating: "0", count: 32), "MessageSid=\(sid)",
        "AccountSid=AC" + String(repeating: "0", count: 32), "From=%2B15017122661", "ApiVersion=2010-04-01",
    ].joined(separator: "&")
    let bytes = Array(body.utf8)
    let form = try! FormBody(parsing: bytes)
    let validator = SignatureValidator(authTokens: [token])
    let signature = SignatureValidator.signature(authToken: token, url: url, body: .form(form))

    Benchmark("signature validation (HMAC-SHA1, 9 parameters)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(validator.validate(signature: signature, url: url, body: .form(form)))
        }
    }

    Benchmark("form parsing (9 parameters, 330 bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try FormBody(parsing: bytes))
        }
    }

    let queued = try! StatusCallback(parameters: FormBody(parsing: Array(body.replacingOccurrences(of: "delivered", with: "queued").utf8)), idempotencyToken: nil)
    let delivered = try! StatusCallback(parameters: form, idempotencyToken: nil)
    var seed = StatusMachine(record: nil)
    _ = seed.receive(StatusReport(queued), at: Date())
    let record = seed.record
    Benchmark("state machine step (queued → delivered)") { benchmark in
        for _ in benchmark.scaledIterations {
            var machine = StatusMachine(record: record)
            blackHole(machine.receive(StatusReport(delivered), at: Date()))
        }
    }

    // A record three callbacks into its life, with every parameter of each in its history:
    // what a store writes on every callback.
    var life = StatusMachine(record: nil)
    for status in ["queued", "sent", "delivered"] {
        let callback = try! StatusCallback(
            parameters: FormBody(parsing: Array(body.replacingOccurrences(of: "delivered", with: status).utf8)),
            idempotencyToken: nil)
        _ = life.receive(StatusReport(callback), at: Date())
    }
    let storedRecord = life.record!
    let encoder = JSONCoding.makeEncoder()
    Benchmark("record document, JSONWritable (3 callbacks of history)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(JSONCoding.encoded(storedRecord))
        }
    }
    Benchmark("record document, JSONEncoder (the same record)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try encoder.encode(storedRecord))
        }
    }

    // What a store reads back on every callback that updates a message.
    let storedText = JSONCoding.encodedText(storedRecord)
    let decoder = JSONCoding.makeDecoder()
    Benchmark("stored record read, compact reader (the same record)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONCoding.decodeRecord(storedText, decoder: decoder))
        }
    }
    Benchmark("stored record read, JSONDecoder (the same record)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(MessageRecord.self, from: Data(storedText.utf8)))
        }
    }

    for level in SQLiteSynchronous.allCases {
        Benchmark(
            "SQLite store write (64 concurrent callbacks, synchronous=\(level))",
            configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5))
        ) { benchmark in
            let directory = FileManager.default.temporaryDirectory.appending(path: "tidings-bench-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteStatusStore(directory: directory, synchronous: level)
            var next = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let first = next
                next += 64
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in first..<(first + 64) {
                        let callback = try StatusCallback(
                            parameters: FormBody([
                                .init(name: "MessageSid", value: "SM\(String(repeating: "0", count: 24))\(String(format: "%08x", number))"),
                                .init(name: "MessageStatus", value: "sent"),
                            ]),
                            idempotencyToken: nil)
                        group.addTask { _ = try await store.record(StatusReport(callback), receivedAt: Date()) }
                    }
                    try await group.waitForAll()
                }
            }
            benchmark.stopMeasurement()
        }
    }
}
