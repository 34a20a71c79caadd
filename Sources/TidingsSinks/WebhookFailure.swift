import AsyncHTTPClient
import Foundation
import TidingsCore

/// How a webhook attempt's outcome becomes a ``TidingsCore/SinkDeliveryError``, following
/// the Standard Webhooks guidance on status codes.
enum WebhookFailure {
    /// The error for a response with `status`, or nil when it means delivered (2xx).
    ///
    /// 408, 429 and 5xx are worth retrying, after the `Retry-After` the response carries;
    /// any other status (a 3xx, as redirects are not followed, and the other 4xx) is
    /// permanent: the same request will get the same answer.
    static func response(
        status: Int, retryAfter: String?, excerpt: String, url: String, now: Date
    ) -> SinkDeliveryError? {
        guard !(200...299).contains(status) else { return nil }
        let description = "HTTP \(status) from \(url)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        guard status == 408 || status == 429 || (500...599).contains(status) else {
            return SinkDeliveryError(description, isPermanent: true)
        }
        return SinkDeliveryError(description, retryAfter: retryAfter.flatMap { RetryAfter.pause($0, now: now) })
    }

    /// The error for an attempt that got no response: a connection refused or reset, a
    /// TLS failure, or no answer within `timeout`. Always worth retrying.
    static func transport(_ error: any Error, url: String, timeout: Duration) -> SinkDeliveryError {
        let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout]
        if let error = error as? HTTPClientError, timeouts.contains(error) {
            return SinkDeliveryError("POST \(url) timed out after \(timeout)")
        }
        return SinkDeliveryError("POST \(url) failed: \(error)")
    }
}
