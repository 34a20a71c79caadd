import Foundation
import HTTPTypes
import Hummingbird

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
public struct SignedURLResolver: Sendable {
    public let publicURL: String?
    public let trustProxy: Bool
    /// Used when a request carries no `Host` (HTTP/1.0 clients).
    public let fallbackAuthority: String

    public init(publicURL: String?, trustProxy: Bool, fallbackAuthority: String) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.trustProxy = trustProxy
        self.fallbackAuthority = fallbackAuthority
    }

    /// The URL the request was signed for.
    public func url(for request: Request) -> String {
        let pathAndQuery = request.head.path ?? "/"
        if let publicURL {
            return publicURL + pathAndQuery
        }
        var scheme = "http"
        var authority = request.head.authority ?? request.headers[.host] ?? fallbackAuthority
        if trustProxy {
            if let proto = firstValue(request.headers[.xForwardedProto]) { scheme = proto.lowercased() }
            if let host = firstValue(request.headers[.xForwardedHost]) { authority = host }
        }
        return "\(scheme)://\(authority)\(pathAndQuery)"
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
    static let twilioSignature = Self("X-Twilio-Signature")!
    static let twilioSignatureSettings = Self("X-Twilio-Webhooks-Signature-Settings")!
    static let twilioIdempotencyToken = Self("I-Twilio-Idempotency-Token")!
}
