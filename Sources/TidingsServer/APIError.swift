import Foundation
import Hummingbird

/// An error answer of Tidings' HTTP API: a status and a JSON body
/// `{"error":{"code":"…","message":"…"}}` whose message says what to do.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid_signature`, `malformed_body`, …).
    public let code: String
    /// What went wrong and what to do, for people.
    public let message: String
    /// The offending field, when one is to blame.
    public let field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let field: String?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = try encoder.encode(Body(error: .init(code: code, message: message, field: field)))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
