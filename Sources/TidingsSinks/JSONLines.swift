import Foundation

/// JSON Lines (one JSON document per line, each ending in `\n`), the format of the log
/// sink and the file sink.
enum JSONLines {
    /// `values` encoded with `encoder`, one per line. `JSONEncoder` escapes line breaks
    /// inside strings, so every value is exactly one line.
    static func encode<Value: Encodable>(_ values: some Sequence<Value>, with encoder: JSONEncoder) throws -> Data {
        var text = Data()
        for value in values {
            text.append(try encoder.encode(value))
            text.append(UInt8(ascii: "\n"))
        }
        return text
    }
}
