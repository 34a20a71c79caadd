/// An `X-Twilio-Webhooks-Signature-Settings` header named an algorithm that
/// ``SignatureAlgorithm`` does not know.
public struct UnsupportedSignatureAlgorithm: Error, Sendable, Equatable, CustomStringConvertible {
    /// The algorithm name as the header gave it.
    public let name: String

    /// For example `unsupported webhook signature algorithm "HMAC_SHA512"`.
    public var description: String {
        "unsupported webhook signature algorithm \"\(name)\""
    }
}
