import Hummingbird
import TwilioWebhooks

/// Reads the body of a request Twilio posts: refused when it comes with a
/// `Content-Encoding` (Twilio sends bodies as they are) or is over the size limit.
struct WebhookBodyReader: Sendable {
    /// The most bytes a body may have.
    let maximumBodySize: Int

    /// The body's bytes; `what` names what the route takes, in the plural, for the errors
    /// ("status callbacks").
    ///
    /// - Throws: ``APIError``: `415` for an encoded body, `413` for one over the limit.
    func read(_ request: Request, expecting what: String) async throws -> [UInt8] {
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "The body is sent with Content-Encoding \(FormBody.DecodingError.printable(encoding)); Twilio sends \(what) unencoded. Send the body as it is.")
        }
        do {
            return Array(buffer: try await request.body.collect(upTo: maximumBodySize))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(
                .contentTooLarge, code: "body_too_large",
                message: "The body is over \(maximumBodySize) bytes; Twilio's \(what) are far smaller.")
        }
    }

    /// `bytes` as a form body.
    ///
    /// - Throws: ``APIError``: `400 malformed_body` saying where it does not decode.
    static func form(from bytes: [UInt8]) throws -> FormBody {
        do {
            return try FormBody(parsing: bytes)
        } catch {
            throw APIError(.badRequest, code: "malformed_body", message: "The form body does not decode: \(error).")
        }
    }
}
