import Foundation
import Logging
import TidingsCore
import TidingsPostgres
import TidingsSQLite
import TwilioWebhooks

/// Fills a Tidings store with many delivered messages, so that benchmarks start from a
/// store a team would have (bench/run.sh: `STORED`, and the lookup benchmark), through the
/// store's own API, many callbacks at a time.
///
///     tidings-bench-fill DATA_DIR|POSTGRES_URL COUNT [PREFIX]
///
/// A `postgres://` URL fills that PostgreSQL database (migrated first); anything else is a
/// SQLite data directory. Message n's SID is PREFIX followed by n in hex (34 characters in
/// all), as lookups.lua asks.
let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: tidings-bench-fill DATA_DIR|POSTGRES_URL COUNT [PREFIX]\n".utf8))
    exit(2)
}
let target = arguments[1]
let prefix = arguments.count > 3 ? arguments[3] : "SMf1"

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

/// Records `count` delivered messages in `store`, 2,048 at a time, and says how long it took.
func fill(_ store: some StatusStore) async throws {
    let start = try await store.latestSeq()
    let concurrency = 2_048
    let started = ContinuousClock.now
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
}

if target.hasPrefix("postgres://") || target.hasPrefix("postgresql://") {
    var logger = Logger(label: "tidings-bench-fill")
    logger.logLevel = .warning
    let store = PostgresStatusStore(configuration: try PostgresStoreConfiguration(url: target), logger: logger)
    try await store.whileRunning {
        _ = try await store.migrate()
        try await fill(store)
    }
} else {
    try await fill(try SQLiteStatusStore(directory: URL(fileURLWithPath: target), synchronous: .normal))
}
