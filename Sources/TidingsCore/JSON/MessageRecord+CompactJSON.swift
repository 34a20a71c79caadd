import Foundation
import TwilioWebhooks

extension MessageRecord {
    /// Reads a record in the compact form ``JSONWritable`` writes (no whitespace, integer
    /// numbers, known keys only); nil for any other JSON, which `JSONDecoder` then reads
    /// (see ``JSONCoding/decodeRecord(_:decoder:)``). Every callback reads its message's
    /// stored record, so this is on the path of every update.
    init?(compactJSON bytes: UnsafeBufferPointer<UInt8>) {
        var accountSid: String?, channelStatusMessage: String?, errorMessage: String?, from: String?
        var messagingServiceSid: String?, rawDlrDoneDate: String?, to: String?
        var channel: String?, sid: String?, status: String?
        var carrierDoneAt: Date?, firstSeenAt: Date?, updatedAt: Date?
        var conflict: Bool?, stale: Bool?, conversation: ConversationLink?
        var errorCode: Int?
        var history: [HistoryEntry]?, timeline: [TimelineEntry]?
        var scanner = JSONScanner(bytes)
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "accountSid": accountSid = scanner.readString(); return accountSid != nil
            case "carrierDoneAt": carrierDoneAt = scanner.readTimestamp(); return carrierDoneAt != nil
            case "channel": channel = scanner.readString(); return channel != nil
            case "channelStatusMessage": channelStatusMessage = scanner.readString(); return channelStatusMessage != nil
            case "conflict": conflict = scanner.readBool(); return conflict != nil
            case "conversation": conversation = ConversationLink(compactJSON: &scanner); return conversation != nil
            case "errorCode": errorCode = scanner.readInt(); return errorCode != nil
            case "errorMessage": errorMessage = scanner.readString(); return errorMessage != nil
            case "firstSeenAt": firstSeenAt = scanner.readTimestamp(); return firstSeenAt != nil
            case "from": from = scanner.readString(); return from != nil
            case "history": history = scanner.readArray(of: HistoryEntry.init(compactJSON:)); return history != nil
            case "messagingServiceSid": messagingServiceSid = scanner.readString(); return messagingServiceSid != nil
            case "rawDlrDoneDate": rawDlrDoneDate = scanner.readString(); return rawDlrDoneDate != nil
            case "sid": sid = scanner.readString(); return sid != nil
            case "stale": stale = scanner.readBool(); return stale != nil
            case "status": status = scanner.readString(); return status != nil
            case "timeline": timeline = scanner.readArray(of: TimelineEntry.init(compactJSON:)); return timeline != nil
            case "to": to = scanner.readString(); return to != nil
            case "updatedAt": updatedAt = scanner.readTimestamp(); return updatedAt != nil
            default: return false
            }
        }
        guard isWellFormed, scanner.isAtEnd, let sid, let channel, let status, let firstSeenAt, let updatedAt,
              let conflict, let stale, let timeline, let history
        else { return nil }
        self.init(sid: sid, channel: Channel(name: channel), status: MessageStatus(wireValue: status), firstSeenAt: firstSeenAt)
        self.accountSid = accountSid
        self.messagingServiceSid = messagingServiceSid
        self.from = from
        self.to = to
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.channelStatusMessage = channelStatusMessage
        self.rawDlrDoneDate = rawDlrDoneDate
        self.carrierDoneAt = carrierDoneAt
        self.conversation = conversation
        self.conflict = conflict
        self.stale = stale
        self.timeline = timeline
        self.history = history
        self.updatedAt = updatedAt
    }
}

extension ConversationLink {
    /// Reads the conversation link of a compact record.
    init?(compactJSON scanner: inout JSONScanner) {
        var messageSid: String?, conversationSid: String?, chatServiceSid: String?
        var participantSid: String?, deliveryReceiptSid: String?
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "chatServiceSid": chatServiceSid = scanner.readString(); return chatServiceSid != nil
            case "conversationSid": conversationSid = scanner.readString(); return conversationSid != nil
            case "deliveryReceiptSid": deliveryReceiptSid = scanner.readString(); return deliveryReceiptSid != nil
            case "messageSid": messageSid = scanner.readString(); return messageSid != nil
            case "participantSid": participantSid = scanner.readString(); return participantSid != nil
            default: return false
            }
        }
        guard isWellFormed, let messageSid else { return nil }
        self.init(
            messageSid: messageSid, conversationSid: conversationSid, chatServiceSid: chatServiceSid,
            participantSid: participantSid, deliveryReceiptSid: deliveryReceiptSid)
    }
}

extension TimelineEntry {
    /// Reads one timeline entry of a compact record.
    init?(compactJSON scanner: inout JSONScanner) {
        var at: Date?, status: String?
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "at": at = scanner.readTimestamp(); return at != nil
            case "status": status = scanner.readString(); return status != nil
            default: return false
            }
        }
        guard isWellFormed, let at, let status else { return nil }
        self.init(status: MessageStatus(wireValue: status), at: at)
    }
}

extension HistoryEntry {
    /// Reads one history entry of a compact record.
    init?(compactJSON scanner: inout JSONScanner) {
        var applied: Bool?, duplicates: Int?, errorCode: Int?, dedupeKey: String?, source: ReportSource? = .callback
        var params: [FormBody.Parameter]?, receivedAt: Date?, eventAt: Date?, status: String?
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "applied": applied = scanner.readBool(); return applied != nil
            case "dedupeKey", "idempotencyToken": dedupeKey = scanner.readString(); return dedupeKey != nil
            case "duplicates": duplicates = scanner.readInt(); return duplicates != nil
            case "errorCode": errorCode = scanner.readInt(); return errorCode != nil
            case "eventAt": eventAt = scanner.readTimestamp(); return eventAt != nil
            case "params": params = scanner.readArray(of: FormBody.Parameter.init(compactJSON:)); return params != nil
            case "receivedAt": receivedAt = scanner.readTimestamp(); return receivedAt != nil
            case "source": source = scanner.readString().flatMap(ReportSource.init(rawValue:)); return source != nil
            case "status": status = scanner.readString(); return status != nil
            default: return false
            }
        }
        guard isWellFormed, let applied, let duplicates, let params, let receivedAt, let status, let source else {
            return nil
        }
        self.init(
            source: source, status: MessageStatus(wireValue: status), errorCode: errorCode, receivedAt: receivedAt,
            eventAt: eventAt, applied: applied, dedupeKey: dedupeKey, params: FormBody(params))
        self.duplicates = duplicates
    }
}

extension FormBody.Parameter {
    /// Reads one `{"name":…,"value":…}` of a compact history entry's parameters.
    init?(compactJSON scanner: inout JSONScanner) {
        var name: String?, value: String?
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "name": name = scanner.readString(); return name != nil
            case "value": value = scanner.readString(); return value != nil
            default: return false
            }
        }
        guard isWellFormed, let name, let value else { return nil }
        self.init(name: name, value: value)
    }
}

extension JSONCoding {
    /// Reads a stored record: the compact form Tidings writes without `JSONDecoder`'s
    /// generic path, anything else with `decoder`.
    public static func decodeRecord(_ json: String, decoder: JSONDecoder) throws -> MessageRecord {
        try decode(json, compact: MessageRecord.init(compactJSON:), decoder: decoder)
    }
}
