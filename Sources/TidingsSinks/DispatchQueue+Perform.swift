import Dispatch

extension DispatchQueue {
    /// Runs `work` on this queue and waits for it without holding a thread of Swift's
    /// cooperative pool: for blocking system calls (`write`, `fsync`) that must not stall
    /// the tasks that serve requests.
    func perform<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            self.async { continuation.resume(with: Swift.Result(catching: work)) }
        }
    }
}
