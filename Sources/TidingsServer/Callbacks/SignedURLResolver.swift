import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Rebuilds the URL Twilio requested — the URL its signature covers.
///
/// Behind a proxy or a tunnel the URL Tidings sees is not the one Twilio used, and a
/// signature over the wrong URL fails: this is the first thing users hit, so every 403
/// logs the URL built here.
///
/// - With a public URL: the public URL (scheme, host, optional port and path prefix)
///   followed by the request's own path and query, exactly as received.
/// - Without one: `http://` + the `Host` header + path and query. With `trustProxy`,
///   `X-Forwarded-Proto` and `X-Forwarded-Host` (their first values) replace scheme and host.
///   A request without `Host` (HTTP/1.0) has no URL: guessing one (the listening address)
///   would check signatures against a URL Twilio never used.
public struct SignedURLResolver: Sendable {
    public let publicURL: String?
    public let trustProxy: Bool

    public init(publicURL: String?, trustProxy: Bool) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.trustProxy = trustProxy
    }

    /// ``url(for:)``, or a `400 missing_host` saying to set `--public-url`.
    func signedURL(for request: Request) throws -> String {
        guard let url = url(for: request) else {
            throw APIError(
                .badRequest, code: "missing_host",
                message: "The request has no Host header, so the URL Twilio signed cannot be rebuilt. Set --public-url to the base URL Twilio uses.")
        }
        return url
    }

    /// The URL the request was signed for; nil when it has no `Host` and there is no
    /// public URL.
    public func url(for request: Request) -> String? {
        let pathAndQuery = request.head.path ?? "/"
        if let publicURL {
            return publicURL + pathAndQuery
        }
        var scheme = "http"
        guard var authority = request.head.authority ?? request.headers[.host] else { return nil }
        if trustProxy {
            if let proto = firstValue(request.headers[.xForwardedProto]) { scheme = proto.lowercased() }
            if let host = firstValue(request.headers[.xForwardedHost]) { authority = host }
        }
        return "\(scheme)://\(authority)\(pathAndQuery)"
    }

    /// The address failures are counted against: the connection's peer or, with
    /// `trustProxy`, the last `X-Forwarded-For` entry (the one the proxy itself added;
    /// those before it are the client's to invent).
    public func clientAddress(of request: Request, remoteAddress: SocketAddress?) -> String {
        if trustProxy,
           let last = request.headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
           !last.isEmpty {
            return last
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    private func firstValue(_ header: String?) -> String? {
        guard let first = header?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
              !first.isEmpty
        else { return nil }
        return first
    }
}

extension HTTPField.Name {
    static let host = Self("Host")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let twilioSignature = Self("X-Twilio-Signature")!
    static let twilioSignatureSettings = Self("X-Twilio-Webhooks-Signature-Settings")!
    static let twilioIdempotencyToken = Self("I-Twilio-Idempotency-Token")!
}
