import Testing
@testable import TwilioWebhooks

@Suite("String's UTF-8 bytes")
struct StringUTF8BytesTests {
    private func validated(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer(String.init(validatingUTF8Bytes:))
    }

    @Test("reads well-formed UTF-8, ASCII or not, as the standard library does", arguments: [
        "", "MessageStatus", "delivered", "+15558675310", "Grüße", "שלום", "日本語", "👋🏽", "a\u{0}b",
    ])
    func readsWellFormed(_ text: String) {
        #expect(validated(Array(text.utf8)) == text)
    }

    @Test("refuses what is not UTF-8", arguments: [
        [0x80], // a continuation byte alone
        [0x61, 0xC3], // a sequence cut short
        [0xC0, 0xAF], // an overlong "/"
        [0xED, 0xA0, 0x80], // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xFF], // never in UTF-8
        [0x4D, 0x65, 0xF0, 0x90, 0x80, 0x41], // a 4-byte sequence cut short inside ASCII
    ] as [[UInt8]])
    func refusesMalformed(_ bytes: [UInt8]) {
        #expect(validated(bytes) == nil)
    }

    @Test("answers as String(validating:as:) for every short sequence of interesting bytes")
    func agreesWithTheStandardLibrary() {
        // Every 1-, 2- and 3-byte sequence over bytes at the edges of UTF-8's ranges.
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var sequences: [[UInt8]] = edges.map { [$0] }
        for first in edges {
            for second in edges {
                sequences.append([first, second])
                for third in edges { sequences.append([first, second, third]) }
            }
        }
        for bytes in sequences {
            #expect(validated(bytes) == String(validating: bytes, as: UTF8.self), "bytes \(bytes)")
        }
    }

    @Test("tells apart names that == calls equal, by their bytes")
    func comparesBytesNotCanonicalEquivalence() {
        let kelvin = "\u{212A}"  // KELVIN SIGN, canonically equivalent to "K"
        #expect(kelvin == "K")
        #expect(!kelvin.hasSameUTF8(as: "K"))
        #expect(!"caf\u{E9}".hasSameUTF8(as: "cafe\u{301}"))
        #expect("MessageSid".hasSameUTF8(as: "Message" + "Sid"))
        #expect(!"MessageSid".hasSameUTF8(as: "MessageSId"))
        #expect("".hasSameUTF8(as: ""))
    }

    @Test("orders strings by their UTF-8 bytes", arguments: [
        ("A", "a", true), ("a", "A", false), ("a", "ab", true), ("ab", "a", false), ("a", "a", false),
        ("", "a", true), ("Z", "é", true), ("\u{FFFF}", "😀", true), ("\u{E9}", "e\u{301}", false),
    ])
    func ordersByBytes(_ first: String, _ second: String, _ precedes: Bool) {
        #expect(first.utf8Precedes(second) == precedes)
        #expect(first.utf8Precedes(second) == first.utf8.lexicographicallyPrecedes(second.utf8))
    }
}
