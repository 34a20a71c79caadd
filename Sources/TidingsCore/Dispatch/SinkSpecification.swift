import Foundation

/// One `--sink` setting, parsed: which kind of sink, where it writes, and its options.
///
/// The form is `KIND=TARGET[;option[=value]]…`:
///
/// ```
/// --sink 'file=/var/lib/tidings/events.jsonl;rotate=daily;keep=30'
/// --sink 'webhook=https://crm.example.com/hooks/sms;name=crm;only=errors;format=cloudevents'
/// ```
///
/// Options every sink takes: `name` (unique; defaults to the kind), `statuses` and
/// `channels` (`|`-separated lists), `only=final` or `only=errors`. The other options
/// belong to the kind (see `SinkFactory`). Secrets are never written here: a webhook's
/// signing secret comes from the environment variable named by `secret-env`.
public struct SinkSpecification: Sendable, Equatable {
    /// `file` or `webhook`.
    public let kind: String
    /// The path or URL.
    public let target: String
    public let name: String
    public let filter: SinkFilter
    /// The kind's own options, by name.
    public let options: [String: String]

    /// The options every kind understands.
    /// The start of the names Tidings keeps for its own leases (reconciliation's), which
    /// share the sinks' lease table.
    public static let reservedNamePrefix = "tidings:"
    static let commonOptions: Set<String> = ["name", "statuses", "channels", "only"]

    /// Parses one `--sink` value.
    ///
    /// The separators `;`, `=` and `|` are found among the text's Unicode scalars, not its
    /// characters: a separator followed by a combining mark (`;\u{031A}`) is one `Character`
    /// that is not `;`, and would otherwise hide the separator from the parser while the
    /// same text, reordered, shows it.
    ///
    /// - Throws: ``ConfigurationError`` naming the fault.
    public init(parsing text: String) throws {
        var parts = Self.split(text, at: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty, let equals = parts[0].unicodeScalars.firstIndex(of: "=") else {
            throw ConfigurationError(setting: "sink", problem: "\"\(text)\" is not KIND=TARGET, e.g. webhook=https://example.com/hook or file=/var/lib/tidings/events.jsonl")
        }
        let first = parts[0].unicodeScalars
        kind = String(first[..<equals]).lowercased()
        target = String(first[first.index(after: equals)...])
        guard !target.isEmpty else {
            throw ConfigurationError(setting: "sink", problem: "\"\(text)\" names no target after \(kind)=")
        }
        parts.removeFirst()
        var options: [String: String] = [:]
        for part in parts {
            let pair = Self.split(part, at: "=", maxSplits: 1)
            guard !pair[0].isEmpty else {
                throw ConfigurationError(setting: "sink", problem: "\"\(text)\" has an option with no name (\"\(part)\"); options are ;name=value")
            }
            options[pair[0].lowercased()] = pair.count == 2 ? pair[1] : ""
        }
        name = options["name"] ?? kind
        guard !name.lowercased().hasPrefix(Self.reservedNamePrefix) else {
            throw ConfigurationError(setting: "sink", problem: "name=\(name) in \"\(text)\": names starting with \(Self.reservedNamePrefix) are Tidings' own; pick another")
        }
        func list(_ key: String) -> Set<String> {
            Set(Self.split(options[key] ?? "", at: "|").filter { !$0.isEmpty }.map { $0.lowercased() })
        }
        let only = options["only"]?.lowercased()
        guard only == nil || only == "final" || only == "errors" else {
            throw ConfigurationError(setting: "sink", problem: "only=\(only!) in \"\(text)\" is neither only=final nor only=errors")
        }
        filter = SinkFilter(
            statuses: list("statuses"), channels: list("channels"), onlyFinal: only == "final",
            onlyErrors: only == "errors")
        self.options = options.filter { !Self.commonOptions.contains($0.key) }
    }

    /// `text` cut at every `separator` scalar (at most `maxSplits` times), empty pieces kept.
    private static func split(_ text: String, at separator: Unicode.Scalar, maxSplits: Int = .max) -> [String] {
        text.unicodeScalars.split(separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: false)
            .map { String($0) }
    }
}
