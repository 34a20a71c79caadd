import Foundation

/// The two body encodings a callback may come in.
enum BodyKind {
    case form
    case json

    init(contentType: String?) throws {
        switch contentType.map(Self.mediaType(of:)) {
        case "application/x-www-form-urlencoded": self = .form
        case "application/json": self = .json
        default:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Expected application/x-www-form-urlencoded (or application/json), got \(contentType ?? "no Content-Type").")
        }
    }

    /// The media type of a `Content-Type` value, lowercased, without parameters or the
    /// spaces around it: `application/json` for ` Application/JSON; charset=utf-8`.
    /// (Bytes, not Foundation: this runs on every callback.)
    private static func mediaType(of contentType: String) -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
            .drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return String(decoding: bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
