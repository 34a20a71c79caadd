import Foundation

/// A position in the newest-first listing: just after the message with this last change
/// time and SID.
public struct MessageCursor: Sendable, Equatable, Codable {
    public let updatedAt: Date
    public let sid: String

    public init(updatedAt: Date, sid: String) {
        self.updatedAt = updatedAt
        self.sid = sid
    }

    /// The opaque form given to API clients (URL-safe Base64 of JSON).
    public var token: String {
        let json = (try? JSONCoding.makeEncoder().encode(self)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads ``token``; nil when it is not one.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let cursor = try? JSONCoding.makeDecoder().decode(MessageCursor.self, from: data)
        else { return nil }
        self = cursor
    }
}
