/// Checks the `X-Twilio-Signature` of webhook requests, exactly as Twilio's official SDKs do
/// (the reference is `twilio/request_validator.py` in the `twilio` package on PyPI).
///
/// Twilio signs a request like this:
///
/// 1. Start from the full URL it requested, scheme to query, exactly as configured.
/// 2. For a form body, append each parameter name in sorted order, and after each name one of
///    its values, for every distinct value in sorted order: `name1value1name2value2…`.
///    Sorting compares Unicode code points, which is the byte order of UTF-8 (not Swift's
///    `String` order, which compares canonically equivalent strings as equal and so would
///    merge `é` with `e` + U+0301). Repeated names are legal, and a value repeated under the
///    same name is signed once.
/// 3. Compute the HMAC of that text (UTF-8) under the secret, and Base64-encode it.
///
/// A JSON body is not part of the signed text: Twilio adds `bodySHA256=<hex SHA-256 of the
/// body>` to the URL's query and signs the URL alone, so the body is checked against that
/// hash first.
///
/// Because Twilio signs some requests with the URL's default port (`:443`, `:80`) and some
/// without, a signature is accepted over either variant; see `SignedURL` for exactly how
/// they are derived. Signatures are compared in constant time.
public struct SignatureValidator: Sendable {
    /// The secrets as UTF-8 bytes, in the order given.
    private let secrets: [[UInt8]]

    /// A validator that accepts signatures made with any of these secrets.
    ///
    /// Pass several to rotate without downtime: the primary and the secondary Auth Token
    /// while Twilio promotes one to the other, or the SharedKey secrets named by a Webhook
    /// Setting. Empty strings are ignored (an empty secret would let anyone sign); with no
    /// secret left, every request is refused.
    public init(authTokens: [String]) {
        secrets = authTokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Checks a request's signature.
    ///
    /// - Parameters:
    ///   - signature: the `X-Twilio-Signature` header, or `nil` when absent.
    ///   - url: the full URL Twilio requested (scheme, host, optional port, path and query,
    ///     exactly as received). Only the port variants and `urlunparse`'s clean-ups described
    ///     in `SignedURL` are tried besides; any other difference fails the check.
    ///   - body: the signed part of the body: the decoded form, or the raw JSON bytes.
    ///   - signatureSettings: the `X-Twilio-Webhooks-Signature-Settings` header, or `nil`;
    ///     it selects the algorithm (see ``SignatureAlgorithm/init(signatureSettings:)``).
    /// - Returns: ``SignatureVerdict/valid``, or why the request must be refused.
    public func validate(
        signature: String?,
        url: String,
        body: SignedBody,
        signatureSettings: String? = nil
    ) -> SignatureVerdict {
        guard let signature, !signature.isEmpty else { return .missingSignature }
        let algorithm: SignatureAlgorithm
        do {
            algorithm = try SignatureAlgorithm(signatureSettings: signatureSettings)
        } catch {
            return .unsupportedAlgorithm(name: error.name)
        }
        guard let signedURL = SignedURL(url) else { return .malformedURL(url) }

        if case .json(let bytes) = body {
            guard let expectedHash = signedURL.queryValue(named: "bodySHA256") else {
                return .missingBodyHash
            }
            let actualHash = Crypto.sha256Hex(bytes)
            guard Crypto.constantTimeEquals(Array(actualHash.utf8), Array(expectedHash.utf8)) else {
                return .bodyHashMismatch
            }
        }

        let provided = Array(signature.utf8)
        let signedParameters = Self.signedParameters(of: body)
        let triedURLs = signedURL.variants
        let matches = secrets.contains { secret in
            triedURLs.contains { candidate in
                let expected = Self.mac(algorithm, key: secret, message: Array(candidate.utf8) + signedParameters)
                return Crypto.constantTimeEquals(Array(Crypto.base64(expected).utf8), provided)
            }
        }
        return matches ? .valid : .mismatch(triedURLs: triedURLs)
    }

    /// The `X-Twilio-Signature` Twilio would send for this request: the signature over `url`
    /// exactly as given, with no port variant.
    ///
    /// For a JSON body, `url` must already carry the `bodySHA256` query parameter
    /// (see ``bodySHA256(of:)``); the body itself is not signed.
    public static func signature(
        authToken: String,
        url: String,
        body: SignedBody,
        algorithm: SignatureAlgorithm = .hmacSHA1
    ) -> String {
        let mac = mac(algorithm, key: Array(authToken.utf8), message: Array(url.utf8) + signedParameters(of: body))
        return Crypto.base64(mac)
    }

    /// The value Twilio puts in the `bodySHA256` query parameter for a JSON body: its
    /// SHA-256 as 64 lowercase hexadecimal digits.
    public static func bodySHA256(of body: [UInt8]) -> String {
        Crypto.sha256Hex(body)
    }

    /// The text appended to the URL before signing: `name + value` for each distinct name in
    /// UTF-8 byte order, and under it each distinct value in UTF-8 byte order. Names and
    /// values are told apart by their bytes, as the SDK's Python `set` does.
    private static func signedParameters(of body: SignedBody) -> [UInt8] {
        guard case .form(let form) = body else { return [] }
        // Sorting the (name, value) pairs by bytes and skipping exact repeats gives each
        // distinct name in order with its distinct values in order under it.
        let pairs = form.parameters.sorted { first, second in
            first.name.hasSameUTF8(as: second.name)
                ? first.value.utf8Precedes(second.value)
                : first.name.utf8Precedes(second.name)
        }
        var text: [UInt8] = []
        text.reserveCapacity(pairs.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        for (index, pair) in pairs.enumerated() {
            if index > 0, pairs[index - 1].name.hasSameUTF8(as: pair.name),
               pairs[index - 1].value.hasSameUTF8(as: pair.value) {
                continue
            }
            text.append(contentsOf: pair.name.utf8)
            text.append(contentsOf: pair.value.utf8)
        }
        return text
    }

    private static func mac(_ algorithm: SignatureAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        switch algorithm {
        case .hmacSHA1: Crypto.hmacSHA1(key: key, message: message)
        case .hmacSHA256: Crypto.hmacSHA256(key: key, message: message)
        }
    }
}
