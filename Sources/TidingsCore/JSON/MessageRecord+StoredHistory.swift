import Foundation

// A SQL store keeps a message's history entries in rows of their own, so that a callback
// appends a row instead of rewriting a document that grows with every callback: the
// record's document is stored without its history, and read back joined with it.

extension MessageRecord {
    /// The record with an empty history: what such a store keeps as the record's document.
    public var withoutHistory: MessageRecord {
        var record = self
        record.history = []
        return record
    }
}

extension JSONCoding {
    /// The document of a whole record — the bytes ``encodedText(_:)`` writes for it — from
    /// the document of the record ``MessageRecord/withoutHistory`` and the documents of its
    /// history entries, in order; joined as text, nothing decoded.
    public static func recordDocument(withoutHistory summary: String, history entries: [String]) -> String {
        guard !entries.isEmpty, let range = summary.range(of: emptyHistory) else { return summary }
        return summary.replacingCharacters(in: range, with: ",\"history\":[" + entries.joined(separator: ",") + "]")
    }

    /// Reads a record stored as the document of the record ``MessageRecord/withoutHistory``
    /// and the documents of its history entries, in order.
    public static func decodeRecord(
        withoutHistory summary: String, history entries: [String], decoder: JSONDecoder
    ) throws -> MessageRecord {
        var record = try decodeRecord(summary, decoder: decoder)
        if !entries.isEmpty {
            record.history = try entries.map { try decodeHistoryEntry($0, decoder: decoder) }
        }
        return record
    }

    /// How an empty history is written in a record's document. Keys are written sorted and
    /// `firstSeenAt` always comes before `history`, so the comma is there; inside a string a
    /// quote is always escaped, so the text can only be the key itself.
    static let emptyHistory = ",\"history\":[]"
}
