extension String {
    /// The text of `bytes` when they are well-formed UTF-8; nil when they are not.
    ///
    /// The same answer as `String(validating: bytes, as: UTF8.self)`, faster for the common
    /// case. That initializer is generic over the encoding and, on Linux, runs unspecialized:
    /// it looks up type metadata on every call, which cost more than the check itself for
    /// the short ASCII fields of a callback and of a stored record. All-ASCII bytes (nearly
    /// every name and value Twilio sends, and nearly every string of a stored record) are
    /// checked here and copied; anything else is validated by the standard library.
    public init?(validatingUTF8Bytes bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            self.init(decoding: bytes, as: UTF8.self)
        } else if let text = String(validating: bytes, as: UTF8.self) {
            self = text
        } else {
            return nil
        }
    }

    /// Whether `self` and `other` are the same UTF-8 bytes.
    ///
    /// `==` compares canonical equivalence ("K" equals the Kelvin sign U+212A); parameter
    /// names are matched by their bytes, as Twilio's SDK matches them.
    func hasSameUTF8(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return withUTF8Buffers(other) { $0.elementsEqual($1) } ?? utf8.elementsEqual(other.utf8)
    }

    /// Whether `self`'s UTF-8 bytes sort before `other`'s, as Python sorts `str`s of the
    /// SDK's signature (by code point, which is the order of their UTF-8 bytes).
    func utf8Precedes(_ other: String) -> Bool {
        withUTF8Buffers(other) { $0.lexicographicallyPrecedes($1) } ?? utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// `body` over the UTF-8 bytes of `self` and `other` in place; nil when either is not
    /// stored contiguously (a bridged string), for the caller to compare the views instead.
    private func withUTF8Buffers<Result>(
        _ other: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in body(mine, theirs) }
        } ?? nil
    }
}
