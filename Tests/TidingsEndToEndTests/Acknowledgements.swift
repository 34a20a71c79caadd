import Synchronization

/// The callbacks a server acknowledged so far, shared by the tasks that send them.
final class Acknowledgements: Sendable {
    private let acknowledged = Mutex<Set<Int>>([])

    /// Adds `index`; returns how many are acknowledged now.
    @discardableResult
    func insert(_ index: Int) -> Int {
        acknowledged.withLock { $0.insert(index); return $0.count }
    }

    /// The indices acknowledged so far.
    var indices: Set<Int> { acknowledged.withLock { $0 } }
}
