import Foundation
import TwilioWebhooks

/// Reads a callback sent as a JSON object (signed with `bodySHA256`) into the same
/// parameters a form body gives: strings as they are, numbers and booleans as text,
/// nested values as their JSON text.
enum JSONCallbackBody {
    static func parameters(from bytes: [UInt8]) throws(APIError) -> FormBody {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw APIError(.badRequest, code: "malformed_body", message: "The JSON body is not an object of callback parameters.")
        }
        let parameters = object.keys.sorted().map { name in
            FormBody.Parameter(name: name, value: text(of: object[name]!))
        }
        return FormBody(parameters)
    }

    private static func text(of value: Any) -> String {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        case is NSNull: ""
        default:
            (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
                .flatMap { String(data: $0, encoding: .utf8) } ?? ""
        }
    }
}
