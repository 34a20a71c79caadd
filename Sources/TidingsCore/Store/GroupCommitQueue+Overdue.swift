extension GroupCommitQueue {
    /// What the queue does around a store's commit step: it leaves out the callbacks whose
    /// answer fell due while they waited for earlier batches (``Entry/answerBy``), so that
    /// a store that got stuck is not asked to commit callbacks whose callers are owed a
    /// failure already; it reports failed commits to the ``CommitFailureLog``; and it turns
    /// every failure into a ``StatusStoreError`` naming the store.
    struct CommitAccounting: Sendable {
        let storeName: String
        let failureLog: CommitFailureLog?
        let clock: ServiceClock

        /// A batch as the queue took it, split into the entries to commit and the overdue.
        struct Triage {
            /// The entries whose callers are still waited for, in arrival order.
            var due: [Entry]
            /// For each entry of the batch, in order, whether it is in ``due``; nil when all are.
            var isDue: [Bool]?
        }

        /// Splits `batch` by whether each entry's answer is overdue now.
        ///
        /// - Throws: the overdue error, when every entry of the batch is overdue.
        func triage(_ batch: [Entry]) throws -> Triage {
            // A store without deadlines (SQLite) pays for no copy.
            guard batch.contains(where: { $0.answerBy != nil }) else { return Triage(due: batch, isDue: nil) }
            let now = clock.now
            let isDue = batch.map { entry in entry.answerBy.map { now < $0 } ?? true }
            let triage = Triage(due: zip(batch, isDue).filter(\.1).map(\.0), isDue: isDue)
            let overdue = batch.count - triage.due.count
            if overdue > 0 { failureLog?.failed(overdueError, batchSize: overdue) }
            if triage.due.isEmpty { throw overdueError }
            return triage
        }

        /// One result per entry of the triaged batch: the commit's `outcomes` for the due,
        /// in order, and the overdue error for the others.
        func committed(_ outcomes: [RecordOutcome], of triage: Triage) -> [Result<RecordOutcome, StatusStoreError>] {
            failureLog?.succeeded()
            guard let isDue = triage.isDue else { return outcomes.map { .success($0) } }
            var committed = outcomes.makeIterator()
            return isDue.map { isDue in isDue ? .success(committed.next()!) : .failure(overdueError) }
        }

        /// The error every caller of the due entries gets when the commit step threw `error`.
        func failed(_ error: any Error, of triage: Triage) -> StatusStoreError {
            failureLog?.failed(error, batchSize: triage.due.count)
            return error as? StatusStoreError ?? StatusStoreError(
                "\(storeName) could not commit this callback (\(error)); nothing was stored", underlying: error)
        }

        /// What the caller of an overdue callback gets.
        var overdueError: StatusStoreError {
            StatusStoreError(
                "\(storeName) could not commit this callback in time: its deadline passed before its turn to "
                    + "commit came (earlier commits, or a machine too busy, held it back); nothing was stored")
        }
    }
}
