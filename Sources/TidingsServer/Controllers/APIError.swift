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
    /// Headers the answer carries besides its content type (`WWW-Authenticate`, `Allow`,
    /// `Retry-After`).
    public let headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
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
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
