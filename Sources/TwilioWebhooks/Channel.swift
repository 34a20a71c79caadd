/// The messaging channel a message travelled on.
///
/// Twilio does not send the channel as such. It is derived, in this order, from the
/// `ChannelPrefix` parameter, the `channel:` prefix of the `To` or `From` address
/// (`whatsapp:+15554449999`, `rcs:…`, `messenger:…`), and finally the message itself: an
/// `MM…` SID or a `NumMedia` above zero means MMS, anything else SMS.
public enum Channel: Sendable, Hashable, CustomStringConvertible {
    case sms
    case mms
    case whatsapp
    case rcs
    case messenger
    /// A channel prefix this version does not know (`apple`, `google`, …), kept lowercased.
    case other(String)

    /// Parses a channel name or address prefix (`whatsapp`, `RCS`, …).
    public init(name: String) {
        switch name.trimmingWhitespace().lowercased() {
        case "sms": self = .sms
        case "mms": self = .mms
        case "whatsapp": self = .whatsapp
        case "rcs": self = .rcs
        case "messenger": self = .messenger
        case let other: self = .other(other)
        }
    }

    /// Derives the channel of one callback.
    ///
    /// - Parameters:
    ///   - channelPrefix: the `ChannelPrefix` parameter, when Twilio sent one.
    ///   - addresses: the `To` and `From` addresses, in that order of preference.
    ///   - messageSid: the message SID (`SM…` or `MM…`).
    ///   - mediaCount: the `NumMedia` parameter, when present.
    public init(channelPrefix: String?, addresses: [String?], messageSid: String, mediaCount: Int?) {
        if let channelPrefix, !channelPrefix.trimmingWhitespace().isEmpty {
            self.init(name: channelPrefix)
            return
        }
        for case let address? in addresses {
            if let prefix = Self.addressPrefix(of: address) {
                self.init(name: prefix)
                return
            }
        }
        if messageSid.hasPrefix("MM") || (mediaCount ?? 0) > 0 {
            self = .mms
        } else {
            self = .sms
        }
    }

    /// The `name:` before a channel address (`whatsapp` in `whatsapp:+1555…`), or nil for
    /// a plain phone number or short code.
    static func addressPrefix(of address: String) -> String? {
        guard let colon = address.firstIndex(of: ":") else { return nil }
        let prefix = address[..<colon]
        guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { return nil }
        return String(prefix)
    }

    /// The channel's name as stored and shown (`sms`, `whatsapp`, …).
    public var name: String {
        switch self {
        case .sms: "sms"
        case .mms: "mms"
        case .whatsapp: "whatsapp"
        case .rcs: "rcs"
        case .messenger: "messenger"
        case .other(let name): name
        }
    }

    public var description: String { name }
}

extension Channel: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(name: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
