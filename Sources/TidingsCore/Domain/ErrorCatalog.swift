/// What a Twilio messaging error code means, for the engineer who has to explain why a
/// message was not delivered.
///
/// A status callback carries only a number (`ErrorCode=30003`). The catalog turns it into
/// Twilio's short name, a sentence or two on what happened and what to do, and whether
/// sending the same message again later can help. A code the catalog does not know is
/// still reported, as unknown, with the link to Twilio's page for it: never dropped.
public struct ErrorCatalog: Sendable {
    /// One error code and what it means.
    public struct Entry: Sendable, Equatable, Codable {
        /// Twilio's numeric error code, as in a status callback's `ErrorCode`.
        public let code: Int
        /// Twilio's short name for the error, e.g. "Unreachable destination handset".
        public let title: String
        /// One or two sentences an on-call engineer can act on: what happened, what to do.
        public let meaning: String
        /// Whether sending the same message again later can help: true for transient
        /// conditions (a handset switched off, congestion, rate limits), false when the
        /// message will fail the same way until someone changes something (an opt-out, an
        /// invalid number, a filtered body, a missing registration).
        public let retryable: Bool
        /// Twilio's page for the code, `https://www.twilio.com/docs/api/errors/<code>`.
        public let docsURL: String

        /// An entry; `docsURL` defaults to Twilio's page for `code`.
        public init(
            code: Int,
            title: String,
            meaning: String,
            retryable: Bool,
            docsURL: String? = nil
        ) {
            self.code = code
            self.title = title
            self.meaning = meaning
            self.retryable = retryable
            self.docsURL = docsURL ?? ErrorCatalog.docsURL(for: code)
        }
    }

    /// The built-in catalog of Twilio messaging (SMS, MMS, WhatsApp) error codes.
    public static let twilio = ErrorCatalog(entries: twilioEntries)

    /// Every entry, sorted by code, one per code.
    public let entries: [Entry]
    private let byCode: [Int: Entry]

    /// A catalog of `entries`. When two entries share a code, the later one wins.
    public init(entries: [Entry]) {
        let byCode = Dictionary(entries.map { ($0.code, $0) }, uniquingKeysWith: { _, later in later })
        self.byCode = byCode
        self.entries = byCode.values.sorted { $0.code < $1.code }
    }

    /// The entry for `code`, or nil when the catalog does not know it. Callers report an
    /// unknown code as unknown, with its ``docsURL(for:)``; they never drop it.
    public func entry(for code: Int) -> Entry? {
        byCode[code]
    }

    /// Twilio's documentation page for any error code, known to the catalog or not.
    public static func docsURL(for code: Int) -> String {
        "https://www.twilio.com/docs/api/errors/\(code)"
    }
}
