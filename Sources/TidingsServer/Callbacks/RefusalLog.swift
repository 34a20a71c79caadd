import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Logs refused callbacks without letting a flood of them flood the log: in each
/// ``interval``, the first refusal of each kind (its code) is logged in full, and the rest
/// are counted and reported in one summary line when the interval ends.
///
/// Run it as a service so that a summary is written even when the refusals stop;
/// ``flush()`` writes the pending summary at once (shutdown, tests).
final class RefusalLog: Service, Sendable {
    let interval: Duration
    private let logger: Logger

    private struct Counts {
        /// Refusals per code this interval, the fully logged first ones included.
        var byCode: [String: Int] = [:]
        var addresses: Set<String> = []
        var isEmpty: Bool { byCode.isEmpty }
    }

    private let counts = Mutex(Counts())

    init(interval: Duration = .seconds(60), logger: Logger) {
        self.interval = interval
        self.logger = logger
    }

    /// Records one refusal: logged in full (with `metadata`) if it is the first of its
    /// `code` this interval, otherwise only counted.
    func refused(code: String, from address: String, message: @autoclosure () -> String, metadata: Logger.Metadata) {
        let isFirst = counts.withLock { counts -> Bool in
            let seen = counts.byCode[code, default: 0]
            counts.byCode[code] = seen + 1
            if counts.addresses.count < 1000 { counts.addresses.insert(address) }
            return seen == 0
        }
        guard isFirst else { return }
        var metadata = metadata
        metadata["client"] = "\(address)"
        metadata["code"] = "\(code)"
        logger.warning(
            "callback rejected: \(message()) (further \(code) refusals in the next \(interval) are counted, not logged)",
            metadata: metadata)
    }

    /// Writes the summary of the refusals counted since the last one, if any.
    func flush() {
        let counts = counts.withLock { counts in
            defer { counts = Counts() }
            return counts
        }
        let repeats = counts.byCode.values.reduce(0, +) - counts.byCode.count
        guard repeats > 0 else { return }
        let byCode = counts.byCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        logger.warning(
            "callbacks rejected in the last \(interval): \(byCode)",
            metadata: ["clients": "\(counts.addresses.count)\(counts.addresses.count >= 1000 ? "+" : "")"])
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                self.flush()
            }
        }
        flush()
    }
}

extension RefusalLog {
    /// Runs `handle` for a request from the client at `address`; a refusal it throws
    /// (``CallbackRefusal`` or ``APIError``) is logged here and `count`ed by its outcome
    /// before it becomes the answer.
    func answering(
        from address: String, count: (CallbackOutcome) -> Void, _ handle: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await handle()
        } catch let refusal as CallbackRefusal {
            CallbackOutcome(refusal: refusal.error.status).map(count)
            refused(
                code: refusal.error.code, from: address, message: refusal.logMessage ?? refusal.error.message,
                metadata: refusal.logMetadata)
            throw refusal.error
        } catch let error as APIError {
            CallbackOutcome(refusal: error.status).map(count)
            refused(code: error.code, from: address, message: error.message, metadata: [:])
            throw error
        }
    }
}
