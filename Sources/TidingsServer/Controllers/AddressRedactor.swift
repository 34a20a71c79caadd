import Foundation
import TidingsCore
import TwilioWebhooks

/// Masks phone numbers before anything is stored (`--redact to,from`).
///
/// A masked address keeps its channel prefix and its last four digits —
/// `whatsapp:+15558675310` becomes `whatsapp:+*******5310` — enough to recognise a number
/// on a call, not to dial it. The signature is checked on the original body first.
public struct AddressRedactor: Sendable {
    public let fields: Set<RedactedField>

    public init(fields: Set<RedactedField>) {
        self.fields = fields
    }

    /// `form` with the chosen parameters masked.
    public func redact(_ form: FormBody) -> FormBody {
        guard !fields.isEmpty else { return form }
        return Self.mask(Set(fields.map(\.parameterName)), in: form)
    }

    /// `report` with the chosen addresses masked: as read, and in its fields (a callback's
    /// `To`, an event's `data.to`).
    public func redact(_ report: StatusReport) -> StatusReport {
        guard !fields.isEmpty else { return report }
        var redacted = report
        if fields.contains(.from) { redacted.from = report.from.map(Self.mask) }
        if fields.contains(.to) { redacted.to = report.to.map(Self.mask) }
        redacted.fields = Self.mask(Set(fields.flatMap { [$0.parameterName, $0.eventFieldName] }), in: report.fields)
        return redacted
    }

    /// `json` — what the quarantine keeps of an element no report could be made of — with
    /// the chosen addresses masked wherever they stand: every string under a key named
    /// `to`/`To` or `from`/`From`, at any depth. Text that is not JSON is masked whole.
    public func redact(json: String) -> String {
        guard !fields.isEmpty else { return json }
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else {
            return Self.mask(json)
        }
        let names = Set(fields.flatMap { [$0.rawValue, $0.parameterName] })
        func masked(_ value: Any) -> Any {
            switch value {
            case let object as [String: Any]:
                object.reduce(into: [String: Any]()) { result, pair in
                    if names.contains(pair.key), let address = pair.value as? String {
                        result[pair.key] = Self.mask(address)
                    } else {
                        result[pair.key] = masked(pair.value)
                    }
                }
            case let array as [Any]: array.map(masked)
            default: value
            }
        }
        let data = try? JSONSerialization.data(withJSONObject: masked(root), options: [.fragmentsAllowed, .sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? Self.mask(json)
    }

    /// `form` with the parameters called `names` masked.
    private static func mask(_ names: Set<String>, in form: FormBody) -> FormBody {
        FormBody(form.parameters.map { parameter in
            names.contains(parameter.name)
                ? FormBody.Parameter(name: parameter.name, value: mask(parameter.value))
                : parameter
        })
    }

    /// One address, masked.
    public static func mask(_ address: String) -> String {
        let prefixEnd = address.firstIndex(of: ":").map { address.index(after: $0) } ?? address.startIndex
        let prefix = address[..<prefixEnd]
        let number = address[prefixEnd...]
        let digits = number.filter(\.isNumber)
        guard digits.count > 4 else { return String(prefix) + String(repeating: "*", count: number.count) }
        let plus = number.hasPrefix("+") ? "+" : ""
        return prefix + plus + String(repeating: "*", count: digits.count - 4) + String(digits.suffix(4))
    }
}
