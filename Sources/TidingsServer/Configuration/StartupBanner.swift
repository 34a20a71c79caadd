/// The few lines `tidings serve` prints for people on start-up (to standard error):
/// where it listens, what to set as the StatusCallback URL, and what is not yet right.
public struct StartupBanner: Sendable {
    public let configuration: TidingsConfiguration
    /// The port actually bound (differs from the configured one when that was 0).
    public let boundPort: Int
    /// Where the records are kept, in words.
    public let storeDescription: String
    /// Where the log sink writes, in words.
    public let eventLogDescription: String

    public init(configuration: TidingsConfiguration, boundPort: Int, storeDescription: String, eventLogDescription: String) {
        self.configuration = configuration
        self.boundPort = boundPort
        self.storeDescription = storeDescription
        self.eventLogDescription = eventLogDescription
    }

    /// The URL to set as the messages' `StatusCallback`.
    public var statusCallbackURL: String { url(of: configuration.callbackPath) }

    /// The URL to give a Twilio Event Streams webhook sink.
    public var eventStreamsURL: String { url(of: configuration.eventsPath) }

    /// Where Twilio reaches `path`: under `--public-url`, else on this host and port.
    private func url(of path: String) -> String {
        if let publicURL = configuration.publicURL {
            let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
            return base + path
        }
        let host = ["0.0.0.0", "::", "[::]"].contains(configuration.host) ? "<this-host>" : configuration.host
        return "http://\(host):\(boundPort)\(path)"
    }

    /// The banner's text, lines separated by newlines.
    public var text: String {
        var lines = [
            "Tidings is listening on \(configuration.host):\(boundPort)",
            "  StatusCallback URL: \(statusCallbackURL)",
            "  Event Streams URL:  \(eventStreamsURL)   (optional: a webhook sink of message events)",
            "  records:            \(storeDescription)",
            "  status changes:     \(eventLogDescription)",
            "  look up a message:  tidings status SM… --server http://127.0.0.1:\(boundPort)"
                + (configuration.apiToken == nil ? "" : "   (with TIDINGS_API_TOKEN set)"),
            "  watch live:         tidings tail --server http://127.0.0.1:\(boundPort)",
        ]
        if configuration.publicURL == nil {
            lines.append(
                "  note: signatures are checked against the URL built from each request's Host header; if Twilio reaches this server through a proxy or tunnel, set --public-url (TIDINGS_PUBLIC_URL) to the base URL Twilio uses.")
        }
        if configuration.authTokens.isEmpty {
            lines.append("")
            lines.append(
                "  WARNING: no Twilio auth token is configured, so EVERY callback will be rejected with 403. Set TIDINGS_AUTH_TOKEN (comma-separated during a token rotation) or --auth-token-file.")
        }
        return lines.joined(separator: "\n")
    }
}
