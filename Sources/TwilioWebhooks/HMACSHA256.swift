/// HMAC-SHA256 of `message` under `key`, computed by libcrypto (OpenSSL).
///
/// Public so that other Tidings modules sign with the same library that validates Twilio's
/// signatures (the webhook sink's Standard Webhooks signature); it returns the 32 raw MAC
/// bytes. An empty key is valid and means the empty key, as in RFC 2104.
public func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    Crypto.hmacSHA256(key: key, message: message)
}
