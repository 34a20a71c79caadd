import Foundation

/// Writes JSON into a byte buffer, one value after another, without building a tree.
///
/// It is the fast path of ``JSONWritable``: a type writes its keys in sorted order and its
/// values with the conventions of ``JSONCoding`` (absent optionals omitted, times as
/// RFC 3339 with milliseconds), and the bytes come out exactly as
/// `JSONCoding.makeEncoder()` would write them. Strings are escaped as that encoder does:
/// `"` and `\` with a backslash; `\b \t \n \f \r` in short form; other control characters
/// as `\u00xx`; everything else, `/` included, as it is.
///
///     var writer = JSONWriter()
///     writer.object { object in
///         object.field("sid", "SM1")
///         object.field("errorCode", 30003 as Int?)
///     }
///     // writer.bytes == Array(#"{"sid":"SM1","errorCode":30003}"#.utf8)
///
/// The writer does not sort keys itself; ``JSONWritable`` conformances list their fields in
/// byte order of the key names, and the tests compare their output with `JSONEncoder`'s.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes an object whose members `body` writes.
    public mutating func object(_ body: (inout ObjectWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        // The members write into this writer's buffer: it moves into them and back, so
        // the bytes are never copied.
        var members = ObjectWriter(writer: JSONWriter(capacity: 0))
        swap(&self, &members.writer)
        body(&members)
        swap(&self, &members.writer)
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes an array of `elements`, each writing itself.
    public mutating func array<Element: JSONWritable>(_ elements: [Element]) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `text` as a JSON string.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes an integer.
    public mutating func integer(_ value: some BinaryInteger) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // The digits go in lowest first, then are turned around in place.
        let firstDigit = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[firstDigit...].reverse()
    }

    /// Writes a finite number as `JSONEncoder` does: Swift's shortest text for it, without
    /// a trailing `.0` (`2`, `0.25`, `1e-05`).
    public mutating func number(_ value: Double) {
        precondition(value.isFinite, "JSON has no infinities or NaN")
        let text = value.description
        bytes.append(contentsOf: text.hasSuffix(".0") ? Array(text.utf8.dropLast(2)) : Array(text.utf8))
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueLiteral : Self.falseLiteral)
    }

    /// Writes `date` as ``JSONCoding/formatTimestamp(_:)`` does, as a JSON string.
    public mutating func timestamp(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        JSONCoding.appendTimestamp(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `json` as it is: JSON written before, or a separator between documents (the
    /// line break of JSON Lines).
    public mutating func raw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// Writes the members of one JSON object: each call writes `"key":value`, with the
    /// comma before it when it is not the first. An absent optional writes nothing.
    public struct ObjectWriter: Sendable {
        fileprivate var writer: JSONWriter
        private var isFirst = true

        fileprivate init(writer: JSONWriter) {
            self.writer = writer
        }

        /// Writes `key` and a value that `body` writes.
        public mutating func member(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
            if !isFirst { writer.bytes.append(UInt8(ascii: ",")) }
            isFirst = false
            writer.bytes.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { writer.appendEscaped($0) }
            writer.bytes.append(UInt8(ascii: "\""))
            writer.bytes.append(UInt8(ascii: ":"))
            body(&writer)
        }

        /// `"key":"value"`, or nothing when `value` is nil.
        public mutating func field(_ key: StaticString, _ value: String?) {
            guard let value else { return }
            member(key) { $0.string(value) }
        }

        /// `"key":123`, or nothing when `value` is nil.
        public mutating func field<Integer: BinaryInteger>(_ key: StaticString, _ value: Integer?) {
            guard let value else { return }
            member(key) { $0.integer(value) }
        }

        /// `"key":0.25`, or nothing when `value` is nil.
        public mutating func field(_ key: StaticString, _ value: Double?) {
            guard let value else { return }
            member(key) { $0.number(value) }
        }

        /// `"key":true` or `"key":false`.
        public mutating func field(_ key: StaticString, _ value: Bool) {
            member(key) { $0.bool(value) }
        }

        /// `"key":"2026-11-23T19:04:07.123Z"`, or nothing when `value` is nil.
        public mutating func field(_ key: StaticString, _ value: Date?) {
            guard let value else { return }
            member(key) { $0.timestamp(value) }
        }

        /// `"key":` and the value's own JSON, or nothing when `value` is nil.
        public mutating func field(_ key: StaticString, _ value: (some JSONWritable)?) {
            guard let value else { return }
            member(key) { value.write(to: &$0) }
        }

    }

    /// Appends `text`, escaped for the inside of a JSON string, copying runs that need no
    /// escape in one step.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for (index, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            runStart = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            default:
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let trueLiteral = Array("true".utf8)
    private static let falseLiteral = Array("false".utf8)
}
