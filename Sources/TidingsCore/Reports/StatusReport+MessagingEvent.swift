import TwilioWebhooks

extension StatusReport {
    /// The report of an Event Streams event: source ``ReportSource/eventStream``, the
    /// event's `timestamp` as its event time, its CloudEvent `id` as its dedupe key (Twilio
    /// delivers an event again with the same id), and every attribute as sent.
    public init(_ event: MessagingEvent) {
        self.init(
            source: .eventStream, messageSid: event.messageSid, status: event.status, errorCode: event.errorCode,
            eventAt: event.timestamp, dedupeKey: event.id, from: event.from,
            to: event.to, accountSid: event.accountSid, messagingServiceSid: event.messagingServiceSid,
            channel: Channel(channelPrefix: nil, addresses: [event.to, event.from], messageSid: event.messageSid, mediaCount: nil),
            rawDlrDoneDate: event.rawDlrDoneDate, fields: event.fields)
    }
}
