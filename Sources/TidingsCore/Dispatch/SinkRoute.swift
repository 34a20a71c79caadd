/// A sink and the changes it wants.
public struct SinkRoute: Sendable {
    public let sink: any EventSink
    public let filter: SinkFilter

    public init(sink: any EventSink, filter: SinkFilter = .all) {
        self.sink = sink
        self.filter = filter
    }
}
