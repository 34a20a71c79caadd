import Foundation

/// The JSON conventions of Tidings' records and events: camelCase keys, RFC 3339 UTC
/// times with milliseconds, absent values omitted. Stores and the HTTP API share them so
/// that what is stored and what is shown are the same document.
public enum JSONCoding {
    /// A new encoder with Tidings' conventions (sorted keys, so output is stable).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatTimestamp(date))
        }
        return encoder
    }

    /// A new decoder that reads what ``makeEncoder()`` writes.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTimestamp(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\(text) is not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }

    /// Reads a stored document: with `compact` (a hand-written reader of the compact form
    /// Tidings writes) when it can, with `decoder` otherwise.
    static func decode<Value: Decodable>(
        _ json: String, compact: (UnsafeBufferPointer<UInt8>) -> Value?, decoder: JSONDecoder
    ) throws -> Value {
        var json = json
        if let value = json.withUTF8(compact) { return value }
        return try decoder.decode(Value.self, from: Data(json.utf8))
    }

    /// `date` rounded to the millisecond: the precision of stored times. Taking receipt
    /// times at this precision makes a record read back equal to the one written.
    public static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
