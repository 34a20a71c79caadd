import FuzzSupport
import TwilioWebhooks

/// `SignatureValidator.validate` on a request made of the input's `\n`-separated fields:
///
///     URL \n X-Twilio-Signature \n X-Twilio-Webhooks-Signature-Settings \n auth token \n K BODY
///
/// where the body's first byte `K` picks its kind: `f` a form (the rest parsed, or split
/// literally when it is not valid urlencoding), `j` JSON (the rest as raw bytes; the URL then
/// gets the body's `bodySHA256`), anything else no body. Besides "does not crash" it checks
/// what a receiver must get right: a signature made by `signature(authToken:url:body:)`
/// validates, over the URL itself and over every port variant the validator tries; a
/// tampered signature or another token does not; parameter order and exact repeats do not
/// change a form's signature; and the verdict's kind follows from the headers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignatureValidator(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var fields = FieldReader(fuzzBytes(data, size))
    var url = fields.text()
    let signatureHeader = fields.text()
    let settings = fields.text()
    let token = fields.text()
    let rest = fields.remainder()
    let body: SignedBody
    switch rest.first {
    case UInt8(ascii: "f"): body = .form(lenientFormBody(rest.dropFirst()))
    case UInt8(ascii: "j"):
        let json = Array(rest.dropFirst())
        body = .json(bytes: json)
        // Put the hash where Twilio puts it: in the query, before any fragment.
        let hash = "bodySHA256=" + SignatureValidator.bodySHA256(of: json)
        let fragmentStart = url.firstIndex(of: "#") ?? url.endIndex
        let beforeFragment = url[..<fragmentStart]
        url = beforeFragment + (beforeFragment.contains("?") ? "&" : "?") + hash + url[fragmentStart...]
    default: body = .none
    }
    let settingsHeader: String? = settings.isEmpty ? nil : settings
    let validator = SignatureValidator(authTokens: [token, "a second token"])

    // The fuzzed signature: the verdict's kind follows from the headers.
    let verdict = validator.validate(signature: signatureHeader, url: url, body: body, signatureSettings: settingsHeader)
    let algorithm: SignatureAlgorithm?
    do throws(UnsupportedSignatureAlgorithm) {
        algorithm = try SignatureAlgorithm(signatureSettings: settingsHeader)
    } catch {
        algorithm = nil
        if !signatureHeader.isEmpty {
            require(verdict == .unsupportedAlgorithm(name: error.name), "unknown algorithm \(error.name) gave \(verdict)")
        }
    }
    if signatureHeader.isEmpty { require(verdict == .missingSignature, "an empty signature gave \(verdict)") }
    guard let algorithm else { return 0 }

    // A signature made the way Twilio makes it.
    let signed = SignatureValidator.signature(authToken: token, url: url, body: body, algorithm: algorithm)
    let signedVerdict = validator.validate(signature: signed, url: url, body: body, signatureSettings: settingsHeader)
    if token.isEmpty {
        let noSecrets = SignatureValidator(authTokens: [token])
        require(!noSecrets.validate(signature: signed, url: url, body: body, signatureSettings: settingsHeader).isValid,
                "a validator without secrets accepted a request")
    }
    switch signedVerdict {
    case .valid:
        require(!token.isEmpty, "a signature made with an empty token validated")
        // Tampering with it, or checking it under other tokens, fails.
        let tampered = signed.last == "A" ? String(signed.dropLast()) + "B" : String(signed.dropLast()) + "A"
        require(!validator.validate(signature: tampered, url: url, body: body, signatureSettings: settingsHeader).isValid,
                "a tampered signature validated")
        require(!SignatureValidator(authTokens: ["x" + token]).validate(
            signature: signed, url: url, body: body, signatureSettings: settingsHeader).isValid,
                "another token validated the signature")
    case .mismatch(let tried):
        require(!tried.contains(url) || token.isEmpty,
                "a signature over the URL as given was refused although it was tried: \(url)")
        require(!tried.isEmpty && tried.count <= 2, "tried \(tried.count) URLs")
        // Twilio may have signed any variant tried: each must validate against this URL.
        if !token.isEmpty {
            for variant in tried {
                let variantSignature = SignatureValidator.signature(authToken: token, url: variant, body: body, algorithm: algorithm)
                let variantVerdict = validator.validate(signature: variantSignature, url: url, body: body, signatureSettings: settingsHeader)
                require(variantVerdict == .valid, "a signature over the tried variant \(variant) gave \(variantVerdict)")
            }
        }
    case .malformedURL:
        break
    case .missingBodyHash, .bodyHashMismatch:
        // The harness put the right hash in the query; only an earlier bodySHA256 of the
        // fuzzed URL itself (the first one counts) can hide it.
        require(url.lowercased().contains("body") || url.contains("%"), "JSON body hash not found in \(url): \(signedVerdict)")
    case .missingSignature, .unsupportedAlgorithm:
        require(false, "a made signature gave \(signedVerdict)")
    }

    // A form's signature ignores parameter order and exact repeats.
    if case .form(let form) = body, let first = form.parameters.first {
        let reordered = SignatureValidator.signature(
            authToken: token, url: url, body: .form(FormBody(form.parameters.reversed() + [first])), algorithm: algorithm)
        require(reordered == signed, "reordering or repeating a parameter changed the signature")
    }
    return 0
}

@_cdecl("FuzzSignatureValidator_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzSignatureValidator)
}
