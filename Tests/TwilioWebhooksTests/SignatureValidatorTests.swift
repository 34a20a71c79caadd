import Testing
@testable import TwilioWebhooks

@Suite("SignatureValidator")
struct SignatureValidatorTests {
    static let documentedURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let documentedBody = FormBody([
        .init(name: "CallSid", value: "CA1234567890ABCDE"),
        .init(name: "Caller", value: "+12349013030"),
        .init(name: "Digits", value: "1234"),
        .init(name: "From", value: "+12349013030"),
        .init(name: "To", value: "+18005551212"),
    ])

    // MARK: Vectors from the official Python SDK

    @Test("signature matches the SDK's", arguments: try SignatureVectors.load().requests)
    func signatureMatchesSDK(_ vector: SignatureVectors.Request) throws {
        let algorithm = try #require(SignatureAlgorithm(rawValue: vector.signer.algorithm))
        let signature = SignatureValidator.signature(
            authToken: vector.signer.authToken,
            url: vector.signer.url,
            body: try vector.signer.body.signedBody,
            algorithm: algorithm
        )
        #expect(signature == vector.computedSignature)
    }

    @Test("verdict matches the SDK's", arguments: try SignatureVectors.load().requests)
    func verdictMatchesSDK(_ vector: SignatureVectors.Request) throws {
        let receiver = vector.receiver
        let verdict = SignatureValidator(authTokens: [receiver.authToken]).validate(
            signature: receiver.signature,
            url: receiver.url,
            body: try receiver.body.signedBody,
            signatureSettings: receiver.signatureSettings
        )
        #expect(verdict.isValid == vector.valid, "verdict: \(verdict), SDK error: \(vector.sdkError ?? "none")")
    }

    @Test("settings header names the SDK's algorithm", arguments: try SignatureVectors.load().signatureSettings)
    func settingsHeaderMatchesSDK(_ vector: SignatureVectors.SettingsHeader) {
        let parsed = Result { () throws(UnsupportedSignatureAlgorithm) in
            try SignatureAlgorithm(signatureSettings: vector.header)
        }
        if let known = SignatureAlgorithm(name: vector.algorithm) {
            #expect(parsed == .success(known))
        } else {
            #expect(parsed == .failure(UnsupportedSignatureAlgorithm(name: vector.algorithm)))
        }
    }

    @Test("vectors come from the SDK version the script names")
    func vectorsRecordTheirGenerator() throws {
        let vectors = try SignatureVectors.load()
        #expect(!vectors.generator.twilio.isEmpty)
        #expect(vectors.requests.count >= 25)
        #expect(vectors.requests.contains { $0.valid } && vectors.requests.contains { !$0.valid })
    }

    // MARK: Twilio's documented example

    @Test("Twilio's documented example")
    func documentedExample() {
        let signature = SignatureValidator.signature(
            authToken: "12345", url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        #expect(signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        let verdict = SignatureValidator(authTokens: ["12345"]).validate(
            signature: signature, url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        #expect(verdict == .valid)
    }

    // MARK: Secrets

    @Test("any configured token validates, in any order", arguments: [
        ["12345", "secondary"], ["secondary", "12345"], ["12345"],
    ])
    func tokenRotation(tokens: [String]) {
        let signature = SignatureValidator.signature(
            authToken: "12345", url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        let verdict = SignatureValidator(authTokens: tokens).validate(
            signature: signature, url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        #expect(verdict == .valid)
    }

    @Test("a signature under no configured token is a mismatch", arguments: [[], ["secondary"], ["", "other"]])
    func unknownToken(tokens: [String]) {
        let signature = SignatureValidator.signature(
            authToken: "12345", url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        let verdict = SignatureValidator(authTokens: tokens).validate(
            signature: signature, url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        #expect(!verdict.isValid)
        guard case .mismatch = verdict else {
            Issue.record("expected a mismatch, got \(verdict)")
            return
        }
    }

    @Test("an empty token is ignored, so an empty-key signature never passes")
    func emptyTokenIgnored() {
        let signature = SignatureValidator.signature(authToken: "", url: Self.documentedURL, body: .none)
        let verdict = SignatureValidator(authTokens: [""]).validate(
            signature: signature, url: Self.documentedURL, body: .none
        )
        #expect(verdict == .mismatch(triedURLs: [
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        ]))
    }

    // MARK: Verdicts

    @Test("missing or empty signature", arguments: [nil, ""] as [String?])
    func missingSignature(signature: String?) {
        let verdict = SignatureValidator(authTokens: ["12345"]).validate(
            signature: signature, url: Self.documentedURL, body: .form(Self.documentedBody)
        )
        #expect(verdict == .missingSignature)
        #expect(!verdict.isValid)
    }

    @Test("a mismatch names the URLs tried, without and with the port", arguments: [
        ("https://example.com/status?x=1", ["https://example.com/status?x=1", "https://example.com:443/status?x=1"]),
        ("http://example.com/status", ["http://example.com/status", "http://example.com:80/status"]),
        ("https://example.com:8443/status", ["https://example.com/status", "https://example.com:8443/status"]),
        ("HTTPS://Example.com/status?#", ["https://Example.com/status", "https://Example.com:443/status"]),
    ])
    func mismatchNamesTriedURLs(url: String, tried: [String]) {
        let verdict = SignatureValidator(authTokens: ["12345"]).validate(
            signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", url: url, body: .none
        )
        #expect(verdict == .mismatch(triedURLs: tried))
    }

    @Test("URLs Twilio cannot have requested are malformed", arguments: [
        "/twilio/status", "ftp://example.com/status", "https:example.com/status", "https:///status",
        "https://example.com:https/status", "https://example.com:65536/status", "https://example.com:-1/status",
        "https://[2001:db8::1/status", "https://example.com]/status",
    ])
    func malformedURL(url: String) {
        let verdict = SignatureValidator(authTokens: ["12345"]).validate(signature: "x", url: url, body: .none)
        #expect(verdict == .malformedURL(url))
    }

    @Test("an algorithm the header names but this library lacks is refused")
    func unsupportedAlgorithm() {
        let verdict = SignatureValidator(authTokens: ["12345"]).validate(
            signature: "x", url: Self.documentedURL, body: .none, signatureSettings: "key=k,algorithm=HMAC_SHA512"
        )
        #expect(verdict == .unsupportedAlgorithm(name: "HMAC_SHA512"))
    }

    @Test("a JSON body needs bodySHA256 in the URL, matching the body")
    func jsonBodyHash() {
        let body = Array(#"{"MessageStatus":"delivered"}"#.utf8)
        let validator = SignatureValidator(authTokens: ["12345"])
        let hashedURL = "https://example.com/status?bodySHA256=\(SignatureValidator.bodySHA256(of: body))"
        let signature = SignatureValidator.signature(authToken: "12345", url: hashedURL, body: .json(bytes: body))

        #expect(validator.validate(signature: signature, url: hashedURL, body: .json(bytes: body)) == .valid)
        #expect(
            validator.validate(signature: signature, url: hashedURL, body: .json(bytes: body + [0x20]))
                == .bodyHashMismatch
        )
        #expect(
            validator.validate(signature: signature, url: "https://example.com/status", body: .json(bytes: body))
                == .missingBodyHash
        )
        #expect(
            validator.validate(signature: signature, url: hashedURL, body: .none) == .valid,
            "without a JSON body the hash is not checked and the URL alone is signed"
        )
    }

    @Test("the JSON body is not part of the signed text")
    func jsonBodySignsURLAlone() {
        let url = "https://example.com/status?bodySHA256=abc"
        #expect(
            SignatureValidator.signature(authToken: "t", url: url, body: .json(bytes: Array("{}".utf8)))
                == SignatureValidator.signature(authToken: "t", url: url, body: .none)
        )
    }

    @Test("bodySHA256 is the lowercase hex SHA-256 of the raw bytes")
    func bodySHA256() {
        #expect(
            SignatureValidator.bodySHA256(of: Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }

    // MARK: Settings header

    @Test("algorithm names match ignoring case")
    func algorithmNames() {
        #expect(SignatureAlgorithm(name: "hmac_sha256") == .hmacSHA256)
        #expect(SignatureAlgorithm(name: "HMAC_SHA1") == .hmacSHA1)
        #expect(SignatureAlgorithm(name: "SHA1") == nil)
    }

    @Test("HMAC-SHA256 is chosen by the header, not by trying both")
    func algorithmFromHeaderOnly() {
        let sha256Signature = SignatureValidator.signature(
            authToken: "12345", url: Self.documentedURL, body: .form(Self.documentedBody), algorithm: .hmacSHA256
        )
        let validator = SignatureValidator(authTokens: ["12345"])
        #expect(
            validator.validate(
                signature: sha256Signature, url: Self.documentedURL, body: .form(Self.documentedBody),
                signatureSettings: "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
            ) == .valid
        )
        #expect(
            !validator.validate(signature: sha256Signature, url: Self.documentedURL, body: .form(Self.documentedBody))
                .isValid
        )
    }
}
