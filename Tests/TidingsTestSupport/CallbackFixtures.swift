import Foundation
import TwilioWebhooks

/// Status callbacks as Twilio posts them, shared by the test suites.
public enum CallbackFixtures {
    public static let accountSid = "AC11111111111111111111111111111111"
    public static let messagingServiceSid = "MG22222222222222222222222222222222"
    public static let from = "+15017122661"
    public static let to = "+15558675310"

    /// A message SID (`SM` + 32 hex digits) that differs for every `number`.
    public static func sid(_ number: Int) -> String {
        "SM" + String(repeating: "0", count: 24) + String(format: "%08x", number)
    }

    /// A fixed instant plus `seconds`: whole seconds, so times compare exactly after a
    /// trip through the JSON form, which keeps milliseconds.
    public static func time(_ seconds: Int) -> Date {
        Date(timeIntervalSince1970: 1_795_000_000 + TimeInterval(seconds))
    }

    /// The parameters of one callback, in the order Twilio sends them and `extra` last.
    public static func parameters(
        sid: String,
        status: String,
        errorCode: Int? = nil,
        rawDlrDoneDate: String? = nil,
        eventType: String? = nil,
        to: String = to,
        from: String = from,
        extra: [FormBody.Parameter] = []
    ) -> FormBody {
        var parameters: [FormBody.Parameter] = [
            .init(name: "SmsSid", value: sid),
            .init(name: "SmsStatus", value: status),
            .init(name: "MessageStatus", value: status),
            .init(name: "To", value: to),
            .init(name: "MessagingServiceSid", value: messagingServiceSid),
            .init(name: "MessageSid", value: sid),
            .init(name: "AccountSid", value: accountSid),
            .init(name: "From", value: from),
            .init(name: "ApiVersion", value: "2010-04-01"),
        ]
        if let errorCode { parameters.append(.init(name: "ErrorCode", value: String(errorCode))) }
        if let rawDlrDoneDate { parameters.append(.init(name: "RawDlrDoneDate", value: rawDlrDoneDate)) }
        if let eventType { parameters.append(.init(name: "EventType", value: eventType)) }
        return FormBody(parameters + extra)
    }

    /// One typed callback built from ``parameters(sid:status:errorCode:rawDlrDoneDate:eventType:to:from:extra:)``.
    public static func callback(
        sid: String,
        status: String,
        errorCode: Int? = nil,
        rawDlrDoneDate: String? = nil,
        eventType: String? = nil,
        to: String = to,
        from: String = from,
        extra: [FormBody.Parameter] = [],
        idempotencyToken: String? = nil
    ) throws -> StatusCallback {
        try StatusCallback(
            parameters: parameters(
                sid: sid, status: status, errorCode: errorCode, rawDlrDoneDate: rawDlrDoneDate,
                eventType: eventType, to: to, from: from, extra: extra),
            idempotencyToken: idempotencyToken)
    }
}
