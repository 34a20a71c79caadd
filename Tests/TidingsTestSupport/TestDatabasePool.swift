/// The emptied test databases waiting for their next test, and how many exist: at most
/// `capacity` at once, so that the suite empties and reuses databases instead of making one
/// per test when dozens of tests start together.
actor TestDatabasePool {
    /// How many pooled databases may exist at once.
    let capacity: Int
    private var idle: [String] = []
    private var existing = 0
    private var waiting: [CheckedContinuation<String?, Never>] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// An idle database, or `nil` when the caller is to make one (it then counts as existing);
    /// waits while `capacity` databases exist and none is idle.
    func take() async -> String? {
        if let name = idle.popLast() { return name }
        if existing < capacity {
            existing += 1
            return nil
        }
        return await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands an emptied database to the next waiting caller, or keeps it idle.
    func giveBack(_ name: String) {
        if waiting.isEmpty {
            idle.append(name)
        } else {
            waiting.removeFirst().resume(returning: name)
        }
    }

    /// Forgets a database that was dropped or never made: a waiting caller makes one instead.
    func forget() {
        if waiting.isEmpty {
            existing -= 1
        } else {
            waiting.removeFirst().resume(returning: nil)
        }
    }
}
