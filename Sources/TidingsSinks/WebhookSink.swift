import AsyncHTTPClient
import Foundation
import TidingsCore

/// Posts every status change to a URL, one JSON request per change, signed the Standard
/// Webhooks way (https://www.standardwebhooks.com).
///
/// Each request carries `webhook-id` (the change's id, the same on every retry: receivers
/// dedupe by it, as delivery is at least once), `webhook-timestamp` (the attempt's Unix
/// seconds) and, when secrets are given, `webhook-signature`:
/// `v1,<Base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"))>`, one entry per
/// secret, separated by spaces. The body is ``WebhookPayloadFormat``'s.
///
/// A batch is posted in order and stops at the first change not accepted, which makes
/// ``deliver(_:)`` throw; the dispatcher then retries the whole batch, so a receiver sees
/// the changes before the failed one again. A 2xx response means delivered; 408, 429, 5xx,
/// a timeout and a connection failure are retryable (with the response's `Retry-After`);
/// any other status is permanent. Redirects are not followed (a moved receiver needs its
/// URL updated). The sink never retries by itself.
public final class WebhookSink: EventSink {
    /// The name given at creation (default `webhook`).
    public let name: String
    /// The URL as errors show it: without user, password, query or fragment, which may
    /// hold credentials.
    public let displayURL: String
    private let url: String
    private let secrets: [WebhookSecret]
    private let format: WebhookPayloadFormat
    private let timeout: Duration
    /// The client requests go through (internal so that tests can watch its lifetime).
    let client: HTTPClient
    private let ownsClient: Bool

    /// A sink that posts to `url`.
    ///
    /// - Parameters:
    ///   - url: An absolute `http` or `https` URL.
    ///   - secrets: The keys to sign with (``WebhookSecret``); several during a key
    ///     rotation. Empty: requests carry no `webhook-signature`, and a receiver cannot
    ///     tell them from forgeries.
    ///   - format: The body: the change itself (default) or a CloudEvent.
    ///   - timeout: How long one request may take, connecting and reading the response
    ///     included, before it counts as failed (retryable). Default 10 seconds.
    ///   - name: The sink's name in logs, metrics and the outbox cursor; two webhook sinks
    ///     need two names. Default `webhook`.
    ///   - httpClient: A client to share with the rest of the process, which its owner
    ///     shuts down (its own settings for redirects and for retrying failed connections
    ///     then apply). Nil: the sink creates one that follows no redirects and does not
    ///     retry a failed connection, shut down by ``shutdown()`` (or, without waiting,
    ///     when the sink is released).
    /// - Throws: ``SinkSetupError`` when `url` is not an absolute http(s) URL or `timeout`
    ///   is not positive.
    /// Checks that `url` can be a webhook's destination: an absolute `http` or `https` URL.
    ///
    /// - Throws: ``SinkSetupError`` saying so.
    public static func checkURL(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else {
            throw SinkSetupError("the webhook URL must be an absolute http or https URL")
        }
    }

    public init(
        url: String, secrets: [WebhookSecret] = [], format: WebhookPayloadFormat = .plain,
        timeout: Duration = .seconds(10), name: String = "webhook", httpClient: HTTPClient? = nil
    ) throws {
        try Self.checkURL(url)
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw SinkSetupError("the webhook URL must be an absolute http or https URL")
        }
        guard timeout > .zero else {
            throw SinkSetupError("the webhook timeout must be longer than zero, not \(timeout)")
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        self.displayURL = components.string ?? "\(scheme)://\(components.host ?? "")"
        self.url = url
        self.secrets = secrets
        self.format = format
        self.timeout = timeout
        self.name = name
        if let httpClient {
            client = httpClient
            ownsClient = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            // A refused connection fails the attempt at once; retrying is the dispatcher's job.
            configuration.connectionPool.retryConnectionEstablishment = false
            client = HTTPClient(configuration: configuration)
            ownsClient = true
        }
    }

    /// Posts each change of `batch`, in order, one request at a time. An empty batch sends
    /// nothing.
    ///
    /// - Throws: ``TidingsCore/SinkDeliveryError`` at the first change not accepted, naming
    ///   ``displayURL`` and the status or the failure; `isPermanent` for a status that a
    ///   retry will not change, `retryAfter` from the response's `Retry-After`. A
    ///   `CancellationError` when the task was cancelled.
    public func deliver(_ batch: [StatusChange]) async throws {
        for change in batch {
            try await post(change)
        }
    }

    /// Shuts down the HTTP client the sink created and waits until its connections are
    /// closed; does nothing for a shared client. Call it once, after the last
    /// ``deliver(_:)``.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    /// A client the sink created and ``shutdown()`` did not shut down is shut down in the
    /// background (an HTTP client must not be released while running).
    deinit {
        if ownsClient { client.shutdown { _ in } }
    }

    private func post(_ change: StatusChange) async throws {
        let body = format.body(for: change)
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: format.contentType)
        request.headers.add(name: "User-Agent", value: "tidings")
        request.headers.add(name: StandardWebhookSignature.idHeader, value: change.id)
        request.headers.add(name: StandardWebhookSignature.timestampHeader, value: String(timestamp))
        if !secrets.isEmpty {
            request.headers.add(
                name: StandardWebhookSignature.signatureHeader,
                value: StandardWebhookSignature.signatures(
                    id: change.id, timestamp: timestamp, body: body, secrets: secrets))
        }
        request.body = .bytes(body)

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        } catch {
            try Task.checkCancellation()
            throw WebhookFailure.transport(error, url: displayURL, timeout: timeout)
        }
        let excerpt = await Self.excerpt(of: response.body)
        if let failure = WebhookFailure.response(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
            excerpt: excerpt, url: displayURL, now: Date())
        {
            throw failure
        }
    }

    /// The start of a response body as one line of text, for error descriptions; reads the
    /// rest to the end so that the connection can be reused. A body that breaks off ends
    /// the excerpt: the status has been received, and it alone decides the outcome.
    private static func excerpt(of body: HTTPClientResponse.Body) async -> String {
        let limit = 200
        var bytes: [UInt8] = []
        do {
            for try await buffer in body where bytes.count < limit {
                bytes += buffer.readableBytesView.prefix(limit - bytes.count)
            }
        } catch {
            // Keep what arrived; see above.
        }
        return String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, `Int64.max` beyond what that holds (292 years).
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds >= Int64.max / 1_000_000_000 ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
