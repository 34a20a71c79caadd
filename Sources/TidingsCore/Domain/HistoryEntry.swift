import Foundation
import TwilioWebhooks

/// One report as received, and what the state machine made of it.
public struct HistoryEntry: Sendable, Equatable, Codable {
    /// Which way the report came (records written before sources were kept say `callback`:
    /// it was the only one).
    public let source: ReportSource
    /// The status the report stands for (`read` for `EventType=READ`).
    public let status: MessageStatus
    public let errorCode: Int?
    public let receivedAt: Date
    /// When it happened by the source's clock, when the source said (``StatusReport/eventAt``).
    public let eventAt: Date?
    /// Whether this report moved the message's status.
    public let applied: Bool
    /// How many exact repeats of this report arrived after it (acknowledged, not stored again).
    public var duplicates: Int
    /// The source's identity of the report (``StatusReport/dedupeKey``): a callback's
    /// `I-Twilio-Idempotency-Token`, an event's id. Records written before sources were kept
    /// name it `idempotencyToken`, which is read as this.
    public let dedupeKey: String?
    /// Every field exactly as the source sent it.
    public let params: FormBody

    public init(
        source: ReportSource, status: MessageStatus, errorCode: Int?, receivedAt: Date, eventAt: Date?,
        applied: Bool, dedupeKey: String?, params: FormBody
    ) {
        self.source = source
        self.status = status
        self.errorCode = errorCode
        self.receivedAt = receivedAt
        self.eventAt = eventAt
        self.applied = applied
        self.duplicates = 0
        self.dedupeKey = dedupeKey
        self.params = params
    }

    /// Whether `report` is an exact repeat of the one recorded here: from the same source,
    /// and with the same dedupe key — or, for callbacks, which Twilio may send twice without
    /// one, the same status, reported status, error code, `RawDlrDoneDate` and `EventType`.
    /// The same news from two sources is not a repeat: the history keeps both.
    public func isRepeated(by report: StatusReport) -> Bool {
        guard report.source == source else { return false }
        if let key = report.dedupeKey, key == dedupeKey { return true }
        guard source == .callback else { return false }
        let param = params.trimmedValue
        return status == report.status
            && errorCode == report.errorCode
            && MessageStatus(wireValue: param("MessageStatus") ?? param("SmsStatus") ?? "")
                == report.reportedStatus
            && param("RawDlrDoneDate") == report.rawDlrDoneDate?.raw
            && param("EventType")?.uppercased() == report.eventType?.uppercased()
    }

    private enum CodingKeys: String, CodingKey {
        case source, status, errorCode, receivedAt, eventAt, applied, duplicates, dedupeKey, params
        case idempotencyToken
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decodeIfPresent(ReportSource.self, forKey: .source) ?? .callback
        status = try container.decode(MessageStatus.self, forKey: .status)
        errorCode = try container.decodeIfPresent(Int.self, forKey: .errorCode)
        receivedAt = try container.decode(Date.self, forKey: .receivedAt)
        eventAt = try container.decodeIfPresent(Date.self, forKey: .eventAt)
        applied = try container.decode(Bool.self, forKey: .applied)
        duplicates = try container.decode(Int.self, forKey: .duplicates)
        dedupeKey = try container.decodeIfPresent(String.self, forKey: .dedupeKey)
            ?? container.decodeIfPresent(String.self, forKey: .idempotencyToken)
        params = try container.decode(FormBody.self, forKey: .params)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(errorCode, forKey: .errorCode)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encodeIfPresent(eventAt, forKey: .eventAt)
        try container.encode(applied, forKey: .applied)
        try container.encode(duplicates, forKey: .duplicates)
        try container.encodeIfPresent(dedupeKey, forKey: .dedupeKey)
        try container.encode(params, forKey: .params)
    }
}
