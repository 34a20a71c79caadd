import Foundation
import TidingsCore

/// JSON Lines (one JSON document per line, each ending in `\n`), the format of the log
/// sink and the file sink.
enum JSONLines {
    /// `values` as JSON, one per line. JSON escapes line breaks inside strings, so every
    /// value is exactly one line.
    static func encode(_ values: some Sequence<some JSONWritable>) -> Data {
        var writer = JSONWriter()
        for value in values {
            value.write(to: &writer)
            writer.raw(CollectionOfOne(UInt8(ascii: "\n")))
        }
        return Data(writer.bytes)
    }
}
