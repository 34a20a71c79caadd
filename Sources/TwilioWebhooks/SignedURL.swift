/// A webhook URL taken apart the way Twilio's reference validator takes it apart, to name the
/// URLs Twilio may have signed.
///
/// Twilio's signing backend is inconsistent about ports: for the same webhook it may sign
/// `https://example.com/status` or `https://example.com:443/status`. The official SDKs
/// therefore accept a signature over either of two variants of the URL. This type mirrors the
/// Python SDK (`twilio/request_validator.py`: `add_port`, `remove_port`, both built on
/// `urllib.parse.urlparse(url)` and `geturl()`) exactly, including its quirks:
///
/// - *Without port* removes any port, default or not: everything in the authority from its
///   first `:` on is dropped (`https://example.com:8443/x` → `https://example.com/x`). That
///   also cuts `user:password@host:port` down to `user`, and `[::1]:8443` down to `[`.
/// - *With port* leaves a URL that has a port as it is and otherwise appends `:443` for
///   `https` and `:80` for `http`. A port of `0` counts as no port, and an empty port
///   (`host:`) is no port either, so `host:` becomes `host::443`.
/// - Both variants are reassembled as `urlunparse` does: the scheme in lowercase, and an
///   empty query (`?`), fragment (`#`) or path parameter (a trailing `;` in the last path
///   segment) dropped. Nothing else is re-encoded or normalized: host case, percent-escapes
///   and the order of query parameters stay byte for byte as given.
///
/// A URL the SDK cannot parse (a non-numeric or out-of-range port, an unbalanced `[` or
/// `]` in the authority) is refused here too, and so is anything that is not an absolute
/// `http` or `https` URL with an authority, which Twilio never requests. Not mirrored, as no
/// HTTP server hands such URLs on: `urlsplit`'s removal of tabs and line breaks and of
/// leading control characters, and its validation of IPv6 literals and non-ASCII hosts.
struct SignedURL {
    /// `http` or `https`.
    private let scheme: [UInt8]
    /// Everything between `//` and the first `/`, `?` or `#`: `user:password@host:port`.
    private let authority: ArraySlice<UInt8>
    /// The path, without an empty trailing `;` parameter.
    private let path: ArraySlice<UInt8>
    /// The text between the first `?` and the first `#`, without either.
    private let query: ArraySlice<UInt8>
    /// The text after the first `#`.
    private let fragment: ArraySlice<UInt8>
    /// Whether the authority names a port other than 0.
    private let hasPort: Bool

    /// Splits `url`, or returns `nil` if it is not a URL Twilio could have requested.
    init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = bytes[..<colon].map(Self.asciiLowercased)
        guard scheme == Array("https".utf8) || scheme == Array("http".utf8) else { return nil }
        var rest = bytes[(colon + 1)...]
        guard rest.starts(with: "//".utf8) else { return nil }
        rest = rest.dropFirst(2)

        let authorityEnd = rest.firstIndex { Self.authorityTerminators.contains($0) } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        guard !authority.isEmpty,
              authority.contains(UInt8(ascii: "[")) == authority.contains(UInt8(ascii: "]"))
        else { return nil }

        var fragment = rest[rest.endIndex...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            fragment = rest[(hash + 1)...]
            rest = rest[..<hash]
        }
        var query = rest[rest.endIndex...]
        if let question = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(question + 1)...]
            rest = rest[..<question]
        }

        switch Self.port(in: authority) {
        case .invalid: return nil
        case .absent: hasPort = false
        case .number(let number): hasPort = number != 0  // the SDK tests the port's truth value
        }
        self.scheme = scheme
        self.authority = authority
        self.path = Self.droppingEmptyParameters(rest)
        self.query = query
        self.fragment = fragment
    }

    /// The URL with its port removed, as the SDK's `remove_port` gives it.
    var withoutPort: String {
        guard hasPort else { return assembled(authority: authority) }
        let firstColon = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
        return assembled(authority: authority[..<firstColon])
    }

    /// The URL with the scheme's default port added, as the SDK's `add_port` gives it.
    var withPort: String {
        guard !hasPort else { return assembled(authority: authority) }
        let defaultPort = scheme == Array("https".utf8) ? ":443" : ":80"
        return assembled(authority: authority + defaultPort.utf8)
    }

    /// The URLs a signature is checked against, without port first, each once.
    var variants: [String] {
        let withoutPort = withoutPort
        let withPort = withPort
        return withoutPort == withPort ? [withoutPort] : [withoutPort, withPort]
    }

    /// The first non-empty value of the query parameter with this name, decoded, read as the
    /// SDK's `parse_qs(query)` reads it: `&`-separated, `+` as space, segments without `=`
    /// or with an empty value skipped.
    ///
    /// A value that cannot be decoded strictly is returned as written: like the SDK's lenient
    /// decoding of it, it then holds a `%` (or no valid UTF-8) and so equals no hex digest.
    func queryValue(named name: String) -> String? {
        for segment in query.split(separator: UInt8(ascii: "&")) {
            guard let equals = segment.firstIndex(of: UInt8(ascii: "=")), equals + 1 < segment.endIndex,
                  let decodedName = try? FormBody.decodeComponent(segment[..<equals]),
                  decodedName.hasSameUTF8(as: name)
            else { continue }
            let rawValue = segment[(equals + 1)...]
            return (try? FormBody.decodeComponent(rawValue)) ?? String(decoding: rawValue, as: UTF8.self)
        }
        return nil
    }

    private func assembled(authority: some Collection<UInt8>) -> String {
        var url = scheme + "://".utf8
        url += authority
        url += path
        if !query.isEmpty {
            url.append(UInt8(ascii: "?"))
            url += query
        }
        if !fragment.isEmpty {
            url.append(UInt8(ascii: "#"))
            url += fragment
        }
        return String(decoding: url, as: UTF8.self)
    }

    private static let authorityTerminators: Set<UInt8> = [
        UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"),
    ]

    /// What an authority says about its port.
    private enum Port {
        /// No `:` after the host, or nothing after it.
        case absent
        /// A decimal number from 0 to 65535.
        case number(Int)
        /// Anything else; Python raises `ValueError` here.
        case invalid
    }

    /// The port of an authority, found as `urllib` finds it: after the first `:` that
    /// follows the host, the host being what follows the last `@`, or the bracketed part for
    /// an IPv6 literal.
    private static func port(in authority: ArraySlice<UInt8>) -> Port {
        let hostAndPort = authority.lastIndex(of: UInt8(ascii: "@")).map { authority[($0 + 1)...] } ?? authority
        var afterHost = hostAndPort
        if let open = hostAndPort.firstIndex(of: UInt8(ascii: "[")) {
            let bracketed = hostAndPort[(open + 1)...]
            guard let close = bracketed.firstIndex(of: UInt8(ascii: "]")) else { return .absent }
            afterHost = bracketed[(close + 1)...]
        }
        guard let colon = afterHost.firstIndex(of: UInt8(ascii: ":")) else { return .absent }
        let digits = afterHost[(colon + 1)...]
        guard !digits.isEmpty else { return .absent }
        var port = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return .invalid }
            port = port * 10 + Int(digit - UInt8(ascii: "0"))
            guard port <= 65535 else { return .invalid }
        }
        return .number(port)
    }

    /// The path without the `;` of an empty path parameter, as `urlparse` and `urlunparse`
    /// lose it: the parameter starts at the first `;` of the last segment.
    private static func droppingEmptyParameters(_ path: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let lastSegment = path.lastIndex(of: UInt8(ascii: "/")) ?? path.startIndex
        guard let semicolon = path[lastSegment...].firstIndex(of: UInt8(ascii: ";")),
              semicolon + 1 == path.endIndex
        else { return path }
        return path[..<semicolon]
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
