import Foundation

/// Something a source sent that Tidings could not read as a report — an Event Streams
/// event of an unknown type, one with no message SID — kept verbatim with the reason, so
/// that nothing Twilio delivered is dropped in silence (`GET /v1/quarantine`).
public struct QuarantinedReport: Sendable, Equatable, Codable {
    /// The way it came.
    public let source: ReportSource
    /// Why it could not be read, in words for people.
    public let reason: String
    /// Its own identity, when it has one (a CloudEvent `id`): a delivery of it again is kept once.
    public let eventId: String?
    /// What was sent, as it was sent (the event's JSON).
    public let document: String
    /// When it arrived, to the millisecond.
    public let receivedAt: Date

    public init(source: ReportSource, reason: String, eventId: String?, document: String, receivedAt: Date) {
        self.source = source
        self.reason = reason
        self.eventId = eventId
        self.document = document
        self.receivedAt = JSONCoding.wholeMilliseconds(receivedAt)
    }
}
