import Foundation

/// The key a ``WebhookSink`` signs with (HMAC-SHA256, the Standard Webhooks `v1` scheme).
///
/// Standard Webhooks serialises a secret as `whsec_` followed by the key in standard
/// Base64, and its libraries on the receiving side decode it the same way; giving both
/// sides the same `whsec_…` text is the interoperable choice. A secret is never shown:
/// its description is redacted.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    /// The HMAC key.
    let key: [UInt8]

    /// A secret as configured: `whsec_<base64>` is Base64-decoded (after the prefix) into
    /// the key; any other text is used as is, its UTF-8 bytes being the key — for
    /// receivers that take their secret as plain text.
    ///
    /// - Throws: ``SinkSetupError`` when the text after `whsec_` is not Base64, or the
    ///   key is empty.
    public init(_ text: String) throws {
        if text.hasPrefix(Self.prefix) {
            guard let key = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else {
                throw SinkSetupError("the webhook secret after `\(Self.prefix)` is not valid Base64")
            }
            try self.init(bytes: Array(key))
        } else {
            try self.init(bytes: Array(text.utf8))
        }
    }

    /// A secret of raw key bytes (the spec recommends 24 to 64 random bytes).
    ///
    /// - Throws: ``SinkSetupError`` when `bytes` is empty.
    public init(bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw SinkSetupError("the webhook secret is empty") }
        key = bytes
    }

    /// `whsec_…` without the key.
    public var description: String { "\(Self.prefix)… (redacted)" }

    /// The Standard Webhooks prefix of a serialised symmetric secret.
    static let prefix = "whsec_"
}
