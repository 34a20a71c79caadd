import Testing
@testable import TwilioWebhooks

/// Published test vectors (RFC 2202, RFC 4231, FIPS 180-2, RFC 4648) for the libcrypto
/// wrappers, and the constant-time comparison.
@Suite("Crypto")
struct CryptoTests {
    @Test("HMAC-SHA1, RFC 2202 test case 2")
    func hmacSHA1() {
        let mac = Crypto.hmacSHA1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Crypto.hex(mac) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test("HMAC-SHA1 with an empty key and message")
    func hmacSHA1Empty() {
        #expect(Crypto.hex(Crypto.hmacSHA1(key: [], message: [])) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    }

    @Test("HMAC-SHA256, RFC 4231 test case 2")
    func hmacSHA256() {
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Crypto.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("SHA-256, FIPS 180-2 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func sha256(input: String, digest: String) {
        #expect(Crypto.sha256Hex(Array(input.utf8)) == digest)
    }

    @Test("Base64, RFC 4648 examples", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64(input: String, encoded: String) {
        #expect(Crypto.base64(Array(input.utf8)) == encoded)
    }

    @Test("constant-time equality", arguments: [
        ([], [], true),
        ([1, 2, 3], [1, 2, 3], true),
        ([1, 2, 3], [1, 2, 4], false),
        ([0, 2, 3], [1, 2, 3], false),
        ([1, 2, 3], [1, 2], false),
        ([], [0], false),
    ] as [([UInt8], [UInt8], Bool)])
    func constantTimeEquals(lhs: [UInt8], rhs: [UInt8], equal: Bool) {
        #expect(Crypto.constantTimeEquals(lhs, rhs) == equal)
        #expect(Crypto.constantTimeEquals(rhs, lhs) == equal)
    }
}
