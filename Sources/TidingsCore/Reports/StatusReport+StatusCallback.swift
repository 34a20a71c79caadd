import TwilioWebhooks

extension StatusReport {
    /// The report of a message status callback: source ``ReportSource/callback``, no event
    /// time (a callback carries none but `RawDlrDoneDate`, which the record keeps apart), the
    /// `I-Twilio-Idempotency-Token` as its dedupe key, and every form parameter as sent.
    public init(_ callback: StatusCallback) {
        self.init(
            source: .callback, messageSid: callback.messageSid, status: callback.status,
            reportedStatus: callback.reportedStatus, errorCode: callback.errorCode,
            dedupeKey: callback.idempotencyToken, from: callback.from, to: callback.to,
            accountSid: callback.accountSid, messagingServiceSid: callback.messagingServiceSid,
            channel: callback.channel, channelStatusMessage: callback.channelStatusMessage,
            rawDlrDoneDate: callback.rawDlrDoneDate, eventType: callback.eventType, fields: callback.parameters)
    }
}
