/// What recording one callback did.
public struct RecordOutcome: Sendable, Equatable {
    /// The message after the callback.
    public let record: MessageRecord
    /// The change to hand to sinks; nil when the callback was an exact repeat.
    public internal(set) var change: StatusChange?

    public init(record: MessageRecord, change: StatusChange?) {
        self.record = record
        self.change = change
    }
}
