import Foundation
import TidingsCore
import TidingsSQLite
import TwilioWebhooks

/// Fills a Tidings SQLite store with many delivered messages for the lookup benchmark
/// (bench/run.sh lookup), through the store's own API, many callbacks per transaction.
///
///     tidings-bench-fill DATA_DIR COUNT [PREFIX]
///
/// Message n's SID is PREFIX followed by n in hex (34 characters in all), as lookups.lua asks.
let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: tidings-bench-fill DATA_DIR COUNT [PREFIX]\n".utf8))
    exit(2)
}
let prefix = arguments.count > 3 ? arguments[3] : "SMf1"
let store = try SQLiteStatusStore(directory: URL(fileURLWithPath: arguments[1]), synchronous: .normal)
let start = try await store.latestSeq()
let concurrency = 2_048
let started = ContinuousClock.now
func sid(_ number: Int) -> String {
    let hex = String(number, radix: 16)
    return prefix + String(repeating: "0", count: 34 - prefix.count - hex.count) + hex
}
func callback(_ number: Int) throws -> StatusCallback {
    try StatusCallback(
        parameters: FormBody([
            .init(name: "MessageSid", value: sid(number)), .init(name: "MessageStatus", value: "delivered"),
            .init(name: "AccountSid", value: "AC" + String(repeating: "0", count: 32)),
            .init(name: "To", value: "+1555\(String(format: "%07d", number % 10_000_000))"),
            .init(name: "From", value: "+15017122661"),
        ]),
        idempotencyToken: nil)
}
try await withThrowingTaskGroup(of: Void.self) { group in
    for worker in 0..<concurrency {
        group.addTask {
            for number in stride(from: worker, to: count, by: concurrency) {
                _ = try await store.record(StatusReport(try callback(number)), receivedAt: Date())
            }
        }
    }
    try await group.waitForAll()
}
let seconds = (ContinuousClock.now - started) / .seconds(1)
print("stored \(count) messages (outbox seq \(start) → \(try await store.latestSeq())) in \(Int(seconds)) s")
