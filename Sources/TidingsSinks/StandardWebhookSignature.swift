import Foundation
import TwilioWebhooks

/// The Standard Webhooks (https://www.standardwebhooks.com, spec 1.0.0) headers of one
/// request, symmetric scheme:
///
/// - `webhook-id`: the event's id, the same on every retry (the receiver's idempotency key);
/// - `webhook-timestamp`: the attempt's time, integer Unix seconds;
/// - `webhook-signature`: `v1,` + Base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) for
///   each secret, space-separated (several secrets let a key be rotated without downtime).
///
/// The HMAC is libcrypto's, through ``TwilioWebhooks/hmacSHA256(key:message:)``.
enum StandardWebhookSignature {
    static let idHeader = "webhook-id"
    static let timestampHeader = "webhook-timestamp"
    static let signatureHeader = "webhook-signature"

    /// The value of `webhook-signature` for a request with these id, timestamp and body.
    static func signatures(id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]) -> String {
        let content = Array("\(id).\(timestamp).".utf8) + body
        return secrets.map { secret in
            "v1," + Data(hmacSHA256(key: secret.key, message: content)).base64EncodedString()
        }
        .joined(separator: " ")
    }
}
