import Foundation
import Testing
import TwilioWebhooks

/// `Vectors/signature_vectors.json`, written by `Vectors/generate_signature_vectors.py` from
/// the official `twilio` Python SDK.
struct SignatureVectors: Decodable, Sendable {
    struct Generator: Decodable, Sendable {
        let twilio: String
        let python: String
    }

    /// A request body as the generator wrote it.
    struct Body: Decodable, Sendable {
        let kind: String
        let parameters: [[String]]?
        let json: String?

        var signedBody: SignedBody {
            get throws {
                switch kind {
                case "form": .form(try FormBody(pairs: parameters ?? []))
                case "json": .json(bytes: Array((json ?? "").utf8))
                case "none": .none
                default: throw VectorError("unknown body kind \(kind)")
                }
            }
        }
    }

    /// What Twilio signed.
    struct Signer: Decodable, Sendable {
        let authToken: String
        let url: String
        let body: Body
        let algorithm: String
    }

    /// What the receiving server saw.
    struct Receiver: Decodable, Sendable {
        let authToken: String
        let url: String
        let body: Body
        let signature: String
        let signatureSettings: String?
    }

    /// One signed request: the SDK's signature for the signer, and its verdict for the
    /// receiver.
    struct Request: Decodable, Sendable, CustomTestStringConvertible {
        let description: String
        let signer: Signer
        let computedSignature: String
        let receiver: Receiver
        let valid: Bool
        let sdkError: String?

        var testDescription: String { description }
    }

    /// The algorithm name the SDK reads from an `X-Twilio-Webhooks-Signature-Settings` value.
    struct SettingsHeader: Decodable, Sendable, CustomTestStringConvertible {
        let header: String?
        let algorithm: String

        var testDescription: String { header.map { "\"\($0)\"" } ?? "no header" }
    }

    /// A urlencoded body and the pairs Python's `parse_qsl` decodes from it.
    struct FormBodyCase: Decodable, Sendable, CustomTestStringConvertible {
        let description: String
        let raw: String
        let parameters: [[String]]

        var testDescription: String { description }
    }

    let generator: Generator
    let requests: [Request]
    let signatureSettings: [SettingsHeader]
    let formBodies: [FormBodyCase]

    static func load() throws -> SignatureVectors {
        let url = try #require(
            Bundle.module.url(forResource: "signature_vectors", withExtension: "json", subdirectory: "Vectors")
        )
        return try JSONDecoder().decode(SignatureVectors.self, from: Data(contentsOf: url))
    }
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension FormBody {
    /// A body from `[name, value]` pairs, as the vectors store them.
    init(pairs: [[String]]) throws {
        self.init(try pairs.map { pair in
            guard pair.count == 2 else { throw VectorError("a parameter is not a [name, value] pair: \(pair)") }
            return Parameter(name: pair[0], value: pair[1])
        })
    }
}
