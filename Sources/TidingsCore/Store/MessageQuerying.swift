import Foundation

/// Answering questions about messages: the role of a store that the `/v1` API and
/// `/readyz` need.
public protocol MessageQuerying: Sendable {
    /// The record of one message, or nil when no callback for it was ever stored.
    func message(sid: String) async throws -> MessageRecord?

    /// The record of one message as its JSON document (the bytes ``JSONCoding`` writes,
    /// the `GET /v1/messages/{sid}` answer), or nil when no callback for it was ever
    /// stored. Stores that keep the document return it as stored, without decoding it.
    func messageDocument(sid: String) async throws -> [UInt8]?

    /// The messages `query` selects, newest change first, one page at a time.
    func messages(matching query: MessageQuery) async throws -> MessagePage

    /// The channel messages that deliver the Conversations message `sid` (`IM…`): every
    /// record whose ``MessageRecord/conversation`` names it, first seen first, at most
    /// `limit`.
    func channelMessages(ofConversationMessage sid: String, limit: Int) async throws -> [MessageRecord]

    /// Counts and latencies of the messages whose last change falls in `query`'s window.
    func stats(_ query: StatsQuery) async throws -> MessageStats

    /// The messages whose last change falls in `query`'s buckets, counted by their current
    /// status in the bucket of that change: every bucket of the series, empty ones
    /// included, as ``StatusSeriesBuilder`` adds them up.
    func statusSeries(_ query: SeriesQuery) async throws -> StatusSeries

    /// Throws when the store cannot serve requests now (used by `/readyz`).
    func checkAvailability() async throws
}

extension MessageQuerying {
    /// ``message(sid:)``, encoded: for stores that keep records rather than documents.
    public func messageDocument(sid: String) async throws -> [UInt8]? {
        try await message(sid: sid).map(JSONCoding.encoded)
    }
}
