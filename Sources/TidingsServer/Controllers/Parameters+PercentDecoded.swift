import Foundation
import Hummingbird

extension Parameters {
    /// The path parameter `name`, percent-decoded (`SM%41…` is `SMA…`).
    ///
    /// - Throws: `400 invalid_parameter` when it does not decode, or holds a NUL character
    ///   (`%00`: no SID or sink name has one, and PostgreSQL cannot take one in text).
    func percentDecoded(_ name: String) throws -> String {
        let raw = try require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError(
                .badRequest, code: "invalid_parameter", message: "\(name): \(raw) is not percent-encoded correctly.",
                field: name)
        }
        guard !decoded.utf8.contains(0) else {
            throw APIError(
                .badRequest, code: "invalid_parameter", message: "\(name): \(QueryParameters.nulProblem).", field: name)
        }
        return decoded
    }
}
