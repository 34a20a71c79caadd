import COpenSSL

/// The few libcrypto primitives Twilio's signatures need, as plain byte-array functions.
///
/// Every function here is one-shot and allocation-light; libcrypto's one-shot entry points
/// are thread-safe, so these may be called from any task.
enum Crypto {
    /// HMAC-SHA1 of `message` under `key`: the MAC behind the classic `X-Twilio-Signature`.
    static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        hmac(EVP_sha1(), key: key, message: message)
    }

    /// HMAC-SHA256 of `message` under `key`: the MAC of SharedKey signatures that name
    /// `algorithm=HMAC_SHA256`.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        hmac(EVP_sha256(), key: key, message: message)
    }

    /// The SHA-256 digest of `data`.
    static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = data.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(succeeded == 1, "libcrypto failed to compute a SHA-256 digest")
        return Array(digest.prefix(Int(length)))
    }

    /// The SHA-256 digest of `data` as 64 lowercase hexadecimal digits, the form of
    /// Twilio's `bodySHA256` query parameter.
    static func sha256Hex(_ data: [UInt8]) -> String {
        hex(sha256(data))
    }

    /// Whether `lhs` and `rhs` hold the same bytes, in time that depends only on their
    /// length (`CRYPTO_memcmp`), so a forged signature cannot be found byte by byte from
    /// response timings. Arrays of different lengths are unequal.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }

    /// Standard Base64 with padding and without line breaks, as Twilio encodes signatures.
    static func base64(_ bytes: [UInt8]) -> String {
        // EVP_EncodeBlock writes 4 characters per started 3-byte group, then a NUL.
        var encoded = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let length = bytes.withUnsafeBufferPointer { input in
            EVP_EncodeBlock(&encoded, input.baseAddress, Int32(input.count))
        }
        return String(decoding: encoded.prefix(Int(length)), as: UTF8.self)
    }

    /// `bytes` as lowercase hexadecimal digits, two per byte.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func hmac(_ digest: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // An empty array may have no storage; libcrypto treats a NULL key as "reuse the
        // previous key", so an empty key is passed as a valid pointer with length 0.
        let keyBytes = key.isEmpty ? [0] : key
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                HMAC(
                    digest,
                    keyBuffer.baseAddress, Int32(key.count),
                    messageBuffer.baseAddress, messageBuffer.count,
                    &mac, &length
                )
            }
        }
        precondition(result != nil, "libcrypto failed to compute an HMAC")
        return Array(mac.prefix(Int(length)))
    }
}
