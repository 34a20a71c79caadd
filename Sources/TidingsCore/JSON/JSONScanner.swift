import Foundation
import TwilioWebhooks

/// Reads the compact JSON that ``JSONWriter`` writes, one token at a time.
///
/// It is the fast path for reading stored changes and records back (see
/// ``JSONCoding/decodeChange(_:decoder:)`` and ``JSONCoding/decodeRecord(_:decoder:)``), and it
/// is deliberately narrow: no whitespace between
/// tokens, numbers that are integers. Anything else makes a read return nil, and the caller
/// hands the document to `JSONDecoder`, which reads all of JSON.
struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { position == bytes.count }

    /// Reads `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Reads the members of an object: `body` gets each key and reads its value, returning
    /// false when it cannot. False when the object is not well formed or `body` failed.
    mutating func readObject(_ body: (String, inout JSONScanner) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = readString(), take(UInt8(ascii: ":")), body(key, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// Reads the elements of an array: `body` reads each one, returning false when it
    /// cannot. False when the array is not well formed or `body` failed.
    mutating func readArray(_ body: (inout JSONScanner) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard body(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// Reads an array whose elements `element` reads one by one; nil when the array is not
    /// well formed or an element cannot be read.
    mutating func readArray<Element>(of element: (inout JSONScanner) -> Element?) -> [Element]? {
        var elements: [Element] = []
        let isWellFormed = readArray { scanner in
            guard let value = element(&scanner) else { return false }
            elements.append(value)
            return true
        }
        return isWellFormed ? elements : nil
    }

    /// Reads an integer that fits an `Int`.
    mutating func readInt() -> Int? {
        readInteger().flatMap { Int(exactly: $0) }
    }

    /// Reads a string that holds a timestamp as ``JSONWriter`` writes it.
    mutating func readTimestamp() -> Date? {
        readString().flatMap(JSONCoding.parseTimestamp)
    }

    /// Reads a string, decoding its escapes.
    mutating func readString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = position
        // Most strings have no escape: their bytes are the string.
        while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
            position += 1
        }
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "\"") {
            defer { position += 1 }
            return String(validatingUTF8Bytes: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }
        var decoded = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return decoded.withUnsafeBufferPointer(String.init(validatingUTF8Bytes:))
            case UInt8(ascii: "\\"):
                guard appendEscape(to: &decoded) else { return nil }
            default:
                decoded.append(byte)
            }
        }
        return nil
    }

    /// Reads an integer.
    ///
    /// A negative number is summed negatively, digit by digit, so that `Int64.min`, whose
    /// magnitude no `Int64` holds, reads too (the fuzzer found it falling to `JSONDecoder`).
    mutating func readInteger() -> Int64? {
        let sign: Int64 = take(UInt8(ascii: "-")) ? -1 : 1
        var value: Int64 = 0
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(sign * Int64(bytes[position] - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = sum
            position += 1
        }
        guard position > start else { return nil }
        // JSON has no leading zeros (`007`, `-00`): refused, as JSONDecoder refuses them.
        if bytes[start] == UInt8(ascii: "0"), position - start > 1 { return nil }
        // A fraction or an exponent is for JSONDecoder.
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            return nil
        }
        return value
    }

    /// Reads `true` or `false`.
    mutating func readBool() -> Bool? {
        if takeWord("true") { return true }
        if takeWord("false") { return false }
        return nil
    }

    private mutating func takeWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
              word.withUTF8Buffer({ $0.elementsEqual(bytes[position..<position + count]) })
        else { return false }
        position += count
        return true
    }

    /// Decodes the escape after a backslash: `\" \\ \/ \b \f \n \r \t` and `\uXXXX`
    /// (with surrogate pairs).
    private mutating func appendEscape(to decoded: inout [UInt8]) -> Bool {
        guard position < bytes.count else { return false }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            guard var scalar = readHex4() else { return false }
            if (0xD800..<0xDC00).contains(scalar) {
                guard takeWord("\\u"), let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return false }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let character = Unicode.Scalar(scalar) else { return false }
            decoded.append(contentsOf: Array(String(character).utf8))
        default:
            return false
        }
        return true
    }

    private mutating func readHex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }
}
