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

extension MessageQuery {
    /// Whether `change` passes every filter (the cursor and the limit aside), read as the
    /// state the change leaves its message in: its status, error code, conflict and stale
    /// flags, and ``StatusChange/receivedAt`` as the time of the last change. Live streams
    /// (`GET /v1/events`) use it, so that they filter as the list does.
    public func admits(_ change: StatusChange) -> Bool {
        (statuses.isEmpty || statuses.contains(change.status.wireValue))
            && (errorCode == nil || change.errorCode == errorCode)
            && (channel == nil || change.channel.name == channel)
            && (to == nil || change.to == to)
            && (since.map { change.receivedAt >= $0 } ?? true)
            && (until.map { change.receivedAt < $0 } ?? true)
            && (isFinal.map { change.status.isFinal == $0 } ?? true)
            && (conflict.map { change.conflict == $0 } ?? true)
            && (stale.map { change.stale == $0 } ?? true)
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

extension SeriesQuery {
    /// Whether `record` is counted: its last change falls in the series' whole buckets,
    /// from ``start`` (included) to ``end`` (excluded), and it is on ``channel``.
    public func admits(_ record: MessageRecord) -> Bool {
        record.updatedAt >= start && record.updatedAt < end && (channel == nil || record.channel.name == channel)
    }
}
