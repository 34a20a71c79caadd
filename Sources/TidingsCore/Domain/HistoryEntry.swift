import Foundation
import TwilioWebhooks

/// One callback as received, and what the state machine made of it.
public struct HistoryEntry: Sendable, Equatable, Codable {
    /// The status the callback stands for (`read` for `EventType=READ`).
    public let status: MessageStatus
    public let errorCode: Int?
    public let receivedAt: Date
    /// Whether this callback moved the message's status.
    public let applied: Bool
    /// How many exact repeats of this callback arrived after it (acknowledged, not stored again).
    public var duplicates: Int
    /// The `I-Twilio-Idempotency-Token` it carried.
    public let idempotencyToken: String?
    /// Every parameter exactly as Twilio sent it.
    public let params: FormBody

    public init(
        status: MessageStatus, errorCode: Int?, receivedAt: Date, applied: Bool,
        idempotencyToken: String?, params: FormBody
    ) {
        self.status = status
        self.errorCode = errorCode
        self.receivedAt = receivedAt
        self.applied = applied
        self.duplicates = 0
        self.idempotencyToken = idempotencyToken
        self.params = params
    }

    /// Whether `callback` is an exact repeat of the one recorded here: the same idempotency
    /// token, or the same status, reported status, error code, `RawDlrDoneDate` and `EventType`.
    public func isRepeated(by callback: StatusCallback) -> Bool {
        if let token = callback.idempotencyToken, token == idempotencyToken { return true }
        let param = params.trimmedValue
        return status == callback.status
            && errorCode == callback.errorCode
            && MessageStatus(wireValue: param("MessageStatus") ?? param("SmsStatus") ?? "")
                == callback.reportedStatus
            && param("RawDlrDoneDate") == callback.rawDlrDoneDate?.raw
            && param("EventType")?.uppercased() == callback.eventType?.uppercased()
    }
}
