/// A form body in JSON is an array of `{"name": …, "value": …}` objects in the order
/// received, repeats included — nothing Twilio sent is reordered or merged, and jq's
/// `from_entries` turns it into an object.
extension FormBody: Codable {
    public func encode(to encoder: any Encoder) throws {
        try parameters.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try [Parameter](from: decoder))
    }
}
