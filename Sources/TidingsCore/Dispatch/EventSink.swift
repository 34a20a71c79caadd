/// A destination for status changes: the JSON-lines log, a file, a webhook, a database.
///
/// Like swift-log's `LogHandler`, one small protocol with many backends. A sink receives
/// changes in batches, in the order they were stored, and throws when it could not take
/// the batch so the dispatcher can retry it.
public protocol EventSink: Sendable {
    /// A short, unique name for logs and configuration (`log`, `file`, `webhook`).
    var name: String { get }

    /// Delivers a batch of changes. Throwing means none of the batch may be assumed delivered.
    func deliver(_ batch: [StatusChange]) async throws

    /// Releases what the sink holds (connections, files) once no delivery will follow.
    func shutdown() async throws
}

extension EventSink {
    /// Nothing to release.
    public func shutdown() async throws {}
}
