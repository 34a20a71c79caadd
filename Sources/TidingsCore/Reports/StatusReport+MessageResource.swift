import Foundation
import TwilioWebhooks

extension StatusReport {
    /// The report of a message as the Messages API answered it: source ``ReportSource/api``,
    /// its `date_updated` as event time, and its status and that time as dedupe key, so that
    /// asking again about a message that has not moved is a repeat.
    public init(_ resource: MessageResource) {
        let updated = resource.dateUpdated.map { String(Int64($0.timeIntervalSince1970)) } ?? "-"
        self.init(
            source: .api, messageSid: resource.sid, status: resource.status, errorCode: resource.errorCode,
            eventAt: resource.dateUpdated, dedupeKey: "\(resource.status.wireValue)@\(updated)", from: resource.from,
            to: resource.to, accountSid: resource.accountSid, messagingServiceSid: resource.messagingServiceSid,
            channel: Channel(channelPrefix: nil, addresses: [resource.to, resource.from], messageSid: resource.sid, mediaCount: nil),
            fields: resource.fields)
    }

    /// What reconciliation records when the Messages API does not know `sid` (`404`): a
    /// report of source ``ReportSource/api`` whose status, ``notFoundStatus``, Twilio does not
    /// document, so it is kept in the history and never moves the message's status.
    public static func notFound(sid: String, channel: Channel) -> StatusReport {
        StatusReport(
            source: .api, messageSid: sid, status: notFoundStatus, errorCode: nil, dedupeKey: "not-found",
            channel: channel, fields: FormBody([.init(name: "status", value: notFoundStatus.wireValue)]))
    }

    /// The status of ``notFound(sid:channel:)``: `not-found-at-twilio`.
    public static let notFoundStatus = MessageStatus(wireValue: "not-found-at-twilio")
}
