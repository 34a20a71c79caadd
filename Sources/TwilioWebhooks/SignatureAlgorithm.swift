/// The MAC behind an `X-Twilio-Signature`.
///
/// Twilio signs with HMAC-SHA1 under the account's Auth Token unless the webhook is covered
/// by a Webhook Setting that signs with a SharedKey; such requests carry the header
/// `X-Twilio-Webhooks-Signature-Settings: key=<SharedKey id>,algorithm=<algorithm>`, and the
/// secret to check them with is the SharedKey's, not the Auth Token.
public enum SignatureAlgorithm: String, Sendable, Equatable, CaseIterable {
    /// HMAC-SHA1, Base64-encoded: the classic Auth Token signature.
    case hmacSHA1 = "HMAC_SHA1"
    /// HMAC-SHA256, Base64-encoded: offered for SharedKey signatures.
    case hmacSHA256 = "HMAC_SHA256"

    /// The algorithm with this name (`HMAC_SHA1`, `HMAC_SHA256`), ignoring case.
    public init?(name: String) {
        guard let algorithm = Self.allCases.first(where: { $0.rawValue == name.uppercased() }) else {
            return nil
        }
        self = algorithm
    }

    /// The algorithm named by an `X-Twilio-Webhooks-Signature-Settings` header value.
    ///
    /// Parsed as the official Python SDK does (`get_signature_algorithm`): the value is split
    /// at `,`; the first part of the form `algorithm=NAME` (the key exactly `algorithm`, as
    /// written; whitespace around key and name ignored; a non-empty name) decides, and its
    /// name is matched ignoring case. A missing or empty header, or one without such a part,
    /// means ``hmacSHA1``.
    ///
    /// - Throws: ``UnsupportedSignatureAlgorithm`` when the header names an algorithm this
    ///   type does not know; such a request cannot be verified and must be rejected.
    public init(signatureSettings: String?) throws(UnsupportedSignatureAlgorithm) {
        guard let name = Self.algorithmName(inSignatureSettings: signatureSettings ?? "") else {
            self = .hmacSHA1
            return
        }
        guard let algorithm = SignatureAlgorithm(name: name) else {
            throw UnsupportedSignatureAlgorithm(name: name)
        }
        self = algorithm
    }

    private static func algorithmName(inSignatureSettings header: String) -> String? {
        for part in header.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = trimmed(part[..<equals])
            let value = trimmed(part[part.index(after: equals)...])
            if key == "algorithm", !value.isEmpty {
                return String(value)
            }
        }
        return nil
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map(text.index(after:)) ?? start
        return text[start..<end]
    }
}
