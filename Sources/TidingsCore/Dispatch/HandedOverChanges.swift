/// The changes committed by this process that a sink's loop has not taken yet, handed over
/// in memory (``SinkDispatcher/accept(_:)``) so that the loop need not read them back from
/// the outbox.
///
/// It holds one run of consecutive `seq`s. The loop takes from it only what follows its
/// cursor directly; anything else — changes stored by another instance, commits announced
/// out of order, more than ``capacity`` waiting while the sink is slow — leaves a gap that
/// the loop fills from the outbox, which always has every change. So the outbox stays the
/// truth, and memory only saves reading it.
struct HandedOverChanges {
    /// The most changes kept; past it the run is dropped and the loop catches up from the outbox.
    let capacity: Int
    private var run: [StatusChange] = []
    private var start = 0
    /// Raised whenever the outbox may hold changes that are not in the run.
    private(set) var outboxGeneration = 0
    /// The ``outboxGeneration`` that the loop's last read of the outbox reached the end at.
    private var caughtUpGeneration = -1

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether the outbox may hold changes after the cursor that the run lacks: true until
    /// the loop first reads the outbox to its end, and whenever a gap appeared since.
    var outboxMayHoldMore: Bool { caughtUpGeneration != outboxGeneration }

    /// Adds the changes of one commit, in `seq` order; none says that changes were stored
    /// that only the outbox has.
    mutating func append(_ changes: [StatusChange]) {
        guard let first = changes.first?.seq else {
            outboxGeneration += 1
            return
        }
        let continues = run.last?.seq.map { first == $0 + 1 } ?? true
        if !continues || pending + changes.count > capacity {
            run.removeAll(keepingCapacity: true)
            start = 0
            outboxGeneration += 1
        }
        if changes.count <= capacity { run += changes }
    }

    /// Up to `limit` changes that follow `cursor` directly; nil when the run does not
    /// continue from the cursor (the loop then reads the outbox). Changes at or before the
    /// cursor are dropped.
    mutating func take(after cursor: Int64, limit: Int) -> [StatusChange]? {
        while start < run.count, let seq = run[start].seq, seq <= cursor { start += 1 }
        guard start < run.count, run[start].seq == cursor + 1 else {
            // Changes after the cursor are missing from memory: only the outbox has them.
            if start < run.count { outboxGeneration += 1 }
            compact()
            return nil
        }
        let end = min(start + limit, run.count)
        let batch = Array(run[start..<end])
        start = end
        compact()
        return batch
    }

    /// The loop read the outbox to its end, having read ``outboxGeneration`` as `generation`
    /// before it started: no gap remains that appeared before that read.
    mutating func caughtUp(at generation: Int) {
        caughtUpGeneration = generation
    }

    /// How many changes are waiting.
    var pending: Int { run.count - start }

    private mutating func compact() {
        if start == run.count {
            run.removeAll(keepingCapacity: true)
            start = 0
        } else if start > capacity / 2 {
            run.removeFirst(start)
            start = 0
        }
    }
}
