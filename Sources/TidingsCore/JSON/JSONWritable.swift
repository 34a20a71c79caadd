/// A value that writes its own JSON, exactly as `JSONCoding.makeEncoder()` encodes it.
///
/// Stores write a message's whole record and every status change on each callback, and
/// the sinks write each change again, so these documents skip `JSONEncoder`'s generic
/// path. The output is the same bytes: the tests encode random records and changes both
/// ways and compare them, and `Decodable` reads either.
public protocol JSONWritable: Encodable {
    /// Writes this value's JSON to `writer`.
    func write(to writer: inout JSONWriter)
}

extension JSONCoding {
    /// `value` as JSON in Tidings' conventions, the bytes `makeEncoder()` would write.
    public static func encoded(_ value: some JSONWritable) -> [UInt8] {
        var writer = JSONWriter()
        value.write(to: &writer)
        return writer.bytes
    }

    /// ``encoded(_:)`` as text.
    public static func encodedText(_ value: some JSONWritable) -> String {
        String(decoding: encoded(value), as: UTF8.self)
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    /// Writes the elements as a JSON array.
    public func write(to writer: inout JSONWriter) {
        writer.array(self)
    }
}
