/// How Tidings signs in to Twilio's REST API to ask about messages: an API key and its
/// secret (`TIDINGS_TWILIO_API_KEY`, `TIDINGS_TWILIO_API_SECRET`) for every account, or else
/// each message's own account SID with the first auth token. Never logged.
public enum TwilioAPICredentials: Sendable, Equatable, CustomStringConvertible {
    /// An API key (`SK…`) and its secret.
    case apiKey(sid: String, secret: String)
    /// The account SID of each message, with this auth token.
    case accountAuthToken(String)

    /// The Basic-auth user and password for a message of `accountSid`.
    func basicAuth(for accountSid: String) -> (user: String, password: String) {
        switch self {
        case .apiKey(let sid, let secret): (sid, secret)
        case .accountAuthToken(let token): (accountSid, token)
        }
    }

    /// Which kind, in words for the banner, never the secret.
    public var description: String {
        switch self {
        case .apiKey(let sid, _): "API key \(sid)"
        case .accountAuthToken: "each message's account SID with the first auth token"
        }
    }
}
