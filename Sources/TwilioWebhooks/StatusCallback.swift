/// One message status callback, typed.
///
/// Every documented parameter has a property; every other parameter is kept verbatim in
/// ``parameters`` (and listed by ``unknownParameters``), because Twilio adds parameters
/// without notice. A callback is only refused when it names no message or no status —
/// an unreadable `ErrorCode` or `RawDlrDoneDate` is kept raw and reported in ``warnings``.
public struct StatusCallback: Sendable, Equatable {
    /// `MessageSid` (or the older `SmsSid`).
    public let messageSid: String
    /// The status Twilio reported in `MessageStatus` (or the older `SmsStatus`).
    public let reportedStatus: MessageStatus
    /// `AccountSid`.
    public let accountSid: String?
    /// `MessagingServiceSid`, for messages sent through a Messaging Service.
    public let messagingServiceSid: String?
    /// `From`: the sender, possibly with a channel prefix (`whatsapp:+1…`).
    public let from: String?
    /// `To`: the recipient, possibly with a channel prefix.
    public let to: String?
    /// `ErrorCode`, when present and numeric.
    public let errorCode: Int?
    /// `RawDlrDoneDate`: the carrier's done time from the delivery receipt.
    public let rawDlrDoneDate: DeliveryReceiptDate?
    /// `ChannelInstallSid`: the installed channel used to send the message.
    public let channelInstallSid: String?
    /// `ChannelStatusMessage`: the channel's own words when delivery failed.
    public let channelStatusMessage: String?
    /// `ChannelPrefix`: the channel's address prefix (`whatsapp`, `rcs`, …).
    public let channelPrefix: String?
    /// `EventType`: post-delivery events; `READ` for read receipts.
    public let eventType: String?
    /// `ApiVersion`.
    public let apiVersion: String?
    /// The `I-Twilio-Idempotency-Token` header: the same value on every retry of one callback.
    public let idempotencyToken: String?
    /// The channel, derived from ``channelPrefix``, the addresses and the SID (see ``Channel``).
    public let channel: Channel
    /// Every parameter as received, in order, repeats included.
    public let parameters: FormBody
    /// What was odd but not fatal, in words for people (an unreadable `ErrorCode`, …).
    public let warnings: [String]

    /// Reads a callback from its form parameters.
    ///
    /// - Parameters:
    ///   - parameters: the decoded body.
    ///   - idempotencyToken: the `I-Twilio-Idempotency-Token` header, if any.
    /// - Throws: ``StatusCallbackError/missingField(_:)`` when there is no message SID or no status.
    public init(parameters: FormBody, idempotencyToken: String? = nil) throws(StatusCallbackError) {
        func value(_ names: String...) -> String? {
            names.lazy.compactMap(parameters.trimmedValue).first
        }
        guard let sid = value("MessageSid", "SmsSid", "SmsMessageSid") else {
            throw .missingField("MessageSid")
        }
        guard let status = value("MessageStatus", "SmsStatus") else {
            throw .missingField("MessageStatus")
        }
        var warnings: [String] = []
        let errorCodeText = value("ErrorCode")
        let errorCode = errorCodeText.flatMap { Int($0) }
        if let errorCodeText, errorCode == nil {
            warnings.append("ErrorCode \"\(errorCodeText)\" is not a number; kept in the parameters only")
        }
        let receiptDate = value("RawDlrDoneDate").map(DeliveryReceiptDate.init(raw:))
        if let receiptDate, !receiptDate.isValid {
            warnings.append("RawDlrDoneDate \"\(receiptDate.raw)\" is not a YYMMDDhhmm (or ISO 8601) time; kept raw")
        }

        self.messageSid = sid
        self.reportedStatus = MessageStatus(wireValue: status)
        self.accountSid = value("AccountSid")
        self.messagingServiceSid = value("MessagingServiceSid")
        self.from = value("From")
        self.to = value("To")
        self.errorCode = errorCode
        self.rawDlrDoneDate = receiptDate
        self.channelInstallSid = value("ChannelInstallSid")
        self.channelStatusMessage = value("ChannelStatusMessage")
        self.channelPrefix = value("ChannelPrefix")
        self.eventType = value("EventType")
        self.apiVersion = value("ApiVersion")
        self.idempotencyToken = idempotencyToken.flatMap { $0.isEmpty ? nil : $0 }
        self.channel = Channel(
            channelPrefix: channelPrefix, addresses: [to, from], messageSid: sid,
            mediaCount: value("NumMedia").flatMap { Int($0) })
        self.parameters = parameters
        self.warnings = warnings
    }

    /// The status this callback stands for: `read` when `EventType` is `READ` (whatever
    /// `MessageStatus` says), otherwise ``reportedStatus``.
    public var status: MessageStatus {
        eventType?.uppercased() == "READ" ? .read : reportedStatus
    }
}
