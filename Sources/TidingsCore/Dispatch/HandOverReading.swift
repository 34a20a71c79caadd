/// A reader of changes that are handed over in memory (``HandedOverChanges``) and read from
/// the outbox only to catch up: a sink's loop (`SinkLane`) and a live stream
/// (``LiveChangeReader``).
protocol HandOverReading: Sendable {
    /// The next changes after `cursor` from memory; nil when the outbox must be read.
    func takeHandedOver(after cursor: Int64, limit: Int) -> [StatusChange]?
    /// Whether the outbox may hold changes that memory lacks, and the generation to pass to
    /// ``caughtUp(at:)`` after reading it.
    var outbox: (mayHoldMore: Bool, generation: Int) { get }
    /// A read of the outbox that started at `generation` reached its end.
    func caughtUp(at generation: Int)
}

extension HandOverReading {
    /// Up to `limit` changes after `cursor`: from memory when they are there, otherwise from
    /// `outbox` when it may hold some; nil when there are none.
    func nextBatch(after cursor: Int64, limit: Int, from outbox: any ChangeOutbox) async throws -> [StatusChange]? {
        if let handedOver = takeHandedOver(after: cursor, limit: limit) { return handedOver }
        let outboxState = self.outbox
        guard outboxState.mayHoldMore else { return nil }
        let batch = try await outbox.changes(after: cursor, limit: limit)
        if batch.count < limit { caughtUp(at: outboxState.generation) }
        return batch.isEmpty ? nil : batch
    }
}
