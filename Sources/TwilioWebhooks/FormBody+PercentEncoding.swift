extension FormBody {
    /// Decodes one name or value of a urlencoded body: `+` is a space, `%XX` a byte, and the
    /// resulting bytes must be UTF-8.
    static func decodeComponent(
        _ raw: UnsafeBufferPointer<UInt8>
    ) throws(DecodingError.Problem) -> String {
        // Most names and values have nothing to decode: one validated copy makes the String.
        if !raw.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let text = String(validatingUTF8Bytes: raw) else { throw .invalidUTF8 }
            return text
        }
        return try decodeEscapes(raw)
    }

    /// ``decodeComponent(_:)`` for any bytes (a URL's query, …).
    static func decodeComponent(
        _ raw: some Collection<UInt8>
    ) throws(DecodingError.Problem) -> String {
        let decode = { (buffer: UnsafeBufferPointer<UInt8>) in
            Result { () throws(DecodingError.Problem) in try decodeComponent(buffer) }
        }
        return try (raw.withContiguousStorageIfAvailable(decode) ?? Array(raw).withUnsafeBufferPointer(decode)).get()
    }

    /// Decodes `+` and `%XX` escapes of `raw`, then checks the bytes are UTF-8.
    private static func decodeEscapes(
        _ raw: UnsafeBufferPointer<UInt8>
    ) throws(DecodingError.Problem) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex {
            let byte = raw[index]
            raw.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index != raw.endIndex, let high = hexValue(raw[index]) else {
                    throw .malformedPercentEscape
                }
                raw.formIndex(after: &index)
                guard index != raw.endIndex, let low = hexValue(raw[index]) else {
                    throw .malformedPercentEscape
                }
                raw.formIndex(after: &index)
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let text = bytes.withUnsafeBufferPointer(String.init(validatingUTF8Bytes:)) else {
            throw .invalidUTF8
        }
        return text
    }

    /// Percent-encodes every UTF-8 byte of `text` outside the unreserved set of RFC 3986
    /// (`A-Z a-z 0-9 - . _ ~`).
    static func encodeComponent(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded.append(UInt8(ascii: "%"))
                encoded.append(digits[Int(byte >> 4)])
                encoded.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
