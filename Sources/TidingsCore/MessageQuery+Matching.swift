import Foundation

extension MessageQuery {
    /// Whether `record` passes every filter (the cursor aside): the reference semantics
    /// that database stores express in their own query language.
    public func admits(_ record: MessageRecord) -> Bool {
        (statuses.isEmpty || statuses.contains(record.status.wireValue))
            && (errorCode == nil || record.errorCode == errorCode)
            && (channel == nil || record.channel.name == channel)
            && (to == nil || record.to == to)
            && (since.map { record.updatedAt >= $0 } ?? true)
            && (until.map { record.updatedAt < $0 } ?? true)
            && (isFinal.map { record.isFinal == $0 } ?? true)
            && (conflict.map { record.conflict == $0 } ?? true)
            && (stale.map { record.stale == $0 } ?? true)
    }
}

extension MessageCursor {
    /// Whether `record` comes after this position in the newest-first order.
    public func precedes(_ record: MessageRecord) -> Bool {
        (record.updatedAt, record.sid) < (updatedAt, sid)
    }
}

extension StatsQuery {
    /// Whether `record` is counted.
    public func admits(_ record: MessageRecord) -> Bool {
        (since.map { record.updatedAt >= $0 } ?? true)
            && (until.map { record.updatedAt < $0 } ?? true)
            && (channel == nil || record.channel.name == channel)
    }
}
