/// Why a sink could not be set up: an option it cannot work with (a malformed URL or
/// secret, a retention of no files) or a file it cannot open.
///
/// Thrown by the sinks' initialisers, never by ``TidingsCore/EventSink/deliver(_:)``; the
/// description names the option or the path and says what is wrong with it.
public struct SinkSetupError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, for the operator.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
