import Foundation
import Hummingbird
import TidingsCore

/// JSON answers in Tidings' conventions (``TidingsCore/JSONCoding``).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = if let document = value as? any JSONWritable {
            JSONCoding.encoded(document)
        } else {
            [UInt8](try JSONCoding.makeEncoder().encode(value))
        }
        return make(document: body, status: status)
    }

    /// An answer whose body is `document`, JSON already written.
    static func make(document: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
}
