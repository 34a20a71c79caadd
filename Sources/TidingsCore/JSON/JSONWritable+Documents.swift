import TwilioWebhooks

// The documents Tidings stores and sends, written field by field in the byte order of
// their keys (what `.sortedKeys` gives). A field added to one of these types must be added
// here too; `JSONWritableCompletenessTests` fails until it is.

extension MessageRecord: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("accountSid", accountSid)
            object.field("carrierDoneAt", carrierDoneAt)
            object.field("channel", channel)
            object.field("channelStatusMessage", channelStatusMessage)
            object.field("conflict", conflict)
            object.field("conversation", conversation)
            object.field("errorCode", errorCode)
            object.field("errorMessage", errorMessage)
            object.field("firstSeenAt", firstSeenAt)
            object.field("from", from)
            object.field("history", history)
            object.field("messagingServiceSid", messagingServiceSid)
            object.field("rawDlrDoneDate", rawDlrDoneDate)
            object.field("sid", sid)
            object.field("stale", stale)
            object.field("status", status)
            object.field("timeline", timeline)
            object.field("to", to)
            object.field("updatedAt", updatedAt)
        }
    }
}

extension ConversationLink: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("chatServiceSid", chatServiceSid)
            object.field("conversationSid", conversationSid)
            object.field("deliveryReceiptSid", deliveryReceiptSid)
            object.field("messageSid", messageSid)
            object.field("participantSid", participantSid)
        }
    }
}

extension TimelineEntry: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("at", at)
            object.field("status", status)
        }
    }
}

extension HistoryEntry: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("applied", applied)
            object.field("dedupeKey", dedupeKey)
            object.field("duplicates", duplicates)
            object.field("errorCode", errorCode)
            object.field("eventAt", eventAt)
            object.field("params", params)
            object.field("receivedAt", receivedAt)
            object.field("source", source)
            object.field("status", status)
        }
    }
}

extension StatusChange: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("applied", applied)
            object.field("channel", channel)
            object.field("conflict", conflict)
            object.field("errorCode", errorCode)
            object.field("errorMessage", errorMessage)
            object.field("id", id)
            object.field("previousStatus", previousStatus)
            object.field("receivedAt", receivedAt)
            object.field("reportedStatus", reportedStatus)
            object.field("seq", seq)
            object.field("sid", sid)
            object.field("source", source)
            object.field("stale", stale)
            object.field("status", status)
            object.field("to", to)
        }
    }
}

extension FormBody: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.array(parameters)
    }
}

extension FormBody.Parameter: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("name", name)
            object.field("value", value)
        }
    }
}

extension Channel: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.string(name)
    }
}

extension ReportSource: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.string(rawValue)
    }
}

extension MessageStatus: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.string(wireValue)
    }
}
