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
        let names = Set(fields.map(\.parameterName))
        return FormBody(form.parameters.map { parameter in
            names.contains(parameter.name)
                ? FormBody.Parameter(name: parameter.name, value: Self.mask(parameter.value))
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
