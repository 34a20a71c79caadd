/// How every store deletes many messages (retention): in transactions of ``batchSize``,
/// so that no transaction holds the database for long, until a batch comes back short.
public enum BatchedDeletion {
    /// The most messages one transaction deletes.
    public static let batchSize = 1_000

    /// Calls `deleteBatch` — which deletes up to ``batchSize`` messages in one transaction
    /// and returns how many went — until it deletes fewer; returns the total.
    ///
    /// - Throws: what `deleteBatch` throws; the batches committed before it stay deleted.
    public static func run(_ deleteBatch: () async throws -> Int) async throws -> Int {
        var deleted = 0
        while true {
            let batch = try await deleteBatch()
            deleted += batch
            if batch < batchSize { return deleted }
        }
    }
}
