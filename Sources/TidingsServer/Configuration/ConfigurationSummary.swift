/// The settings in effect, in words, secrets left out: what `tidings config check` prints.
public struct ConfigurationSummary: Sendable {
    public let configuration: TidingsConfiguration

    public init(_ configuration: TidingsConfiguration) {
        self.configuration = configuration
    }

    /// One `name: value` line per setting.
    public var text: String {
        let c = configuration
        let rows: [(String, String)] = [
            ("host", c.host),
            ("port", String(c.port)),
            ("store", c.store.summary),
            ("data-dir", c.dataDirectory),
            ("sqlite-synchronous", "\(c.sqliteSynchronous) (survives \(c.sqliteSynchronous.survives))"),
            ("auth-token", c.authTokens.isEmpty ? "NONE — every callback will be refused" : "\(c.authTokens.count) configured (not shown)"),
            ("public-url", c.publicURL ?? "(rebuilt from each request's Host header)"),
            ("trust-proxy", String(c.trustProxy)),
            ("callback-path", c.callbackPath),
            ("events-path", c.eventsPath),
            ("conversations-path", c.conversationsPath),
            ("reconcile", c.twilioAPICredentials.map { credentials in
                let schedule = c.reconcileEvery.map { "every \(DurationText.text($0))" } ?? "only when asked"
                let sweep = c.reconcileSweep.map { ", sweeping \(DurationText.text($0)) of \(c.twilioAccountSids.joined(separator: ", "))" } ?? ""
                return "\(schedule)\(sweep); messages \(DurationText.text(c.reconcileAfter)) quiet, \(c.reconcileRate)/s to \(c.twilioAPIURL), as \(credentials)"
            } ?? "no credentials"),
            ("event-log", c.eventLog ?? "standard output"),
            ("sink", c.sinks.isEmpty ? "(log sink only)" : c.sinks.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ")),
            ("api-token", c.apiToken == nil ? (c.insecureOpenAPI ? "none (open API allowed)" : "none (loopback only)") : "configured (not shown)"),
            ("stale-after", "\(Int(c.staleAfter))s"),
            ("retention", c.retention.map { "\(Int($0))s" } ?? "keep everything"),
            ("redact", c.redact.isEmpty ? "nothing" : c.redact.map(\.rawValue).sorted().joined(separator: ", ")),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return (["Tidings would start with:"] + rows.map { name, value in
            "  " + name + String(repeating: " ", count: width - name.count) + "  " + value
        }).joined(separator: "\n")
    }
}
