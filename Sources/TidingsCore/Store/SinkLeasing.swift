import Foundation

/// Who feeds each sink when several Tidings instances share one store: the role of a store
/// that ``SinkDispatcher`` needs beside its ``ChangeOutbox``.
///
/// Each sink is fed by the one instance that holds its lease; the others stand by, and one
/// takes over when the holder's lease runs out (it died) or is released (it stopped).
public protocol SinkLeasing: Sendable {
    /// Takes or renews the lease on feeding `sink` for `holder`, for `duration` by the
    /// store's own clock: true when `holder` holds it now — nobody held it, the last
    /// holder's lease ran out, or `holder` held it already. Several Tidings instances on
    /// one store thus feed each sink once, not once each; when the holder dies, another
    /// takes over once its lease runs out.
    func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool

    /// Gives up `holder`'s lease on `sink` (on shutdown), so that another instance takes
    /// the sink over at once; nothing happens when `holder` does not hold it.
    func releaseLease(of sink: String, by holder: String) async throws
}
