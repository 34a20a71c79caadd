/// Reads a Server-Sent Events stream incrementally, as the WHATWG HTML standard
/// ("Interpreting an event stream") says: bytes in, whole events out.
///
/// Lines end with `\r\n`, `\n` or `\r`, also when a chunk boundary falls between the `\r`
/// and the `\n`. A line starting with `:` is a comment. `field: value` loses one space
/// after the colon; a line without a colon is a field with an empty value. `data` lines
/// accumulate (joined by `\n`), `event` names the type, `id` sets the last event ID (which
/// outlives the event, so that a reconnection can send it as `Last-Event-ID`), `retry`
/// sets the reconnection time; other fields are ignored. A blank line dispatches the event,
/// unless it has no data. What is left when the stream ends is not an event.
struct ServerSentEventParser: Sendable {
    /// The stream's last event ID: what to send as `Last-Event-ID` on reconnecting.
    private(set) var lastEventID: String?
    /// The reconnection time the stream asked for with `retry:`, in milliseconds.
    private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    private var lineFeedEndsNothing = false
    private var isAtStart = true
    private var data: String?
    private var type = ""

    /// A parser at the start of a stream, remembering `lastEventID` from an earlier
    /// connection.
    init(lastEventID: String? = nil) {
        self.lastEventID = lastEventID
    }

    /// Reads the next bytes of the stream and returns the events they complete, in order.
    mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where lineFeedEndsNothing:
                lineFeedEndsNothing = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                lineFeedEndsNothing = byte == UInt8(ascii: "\r")
                if let event = consume(line: String(decoding: line, as: UTF8.self)) {
                    events.append(event)
                }
                line.removeAll(keepingCapacity: true)
            default:
                lineFeedEndsNothing = false
                line.append(byte)
            }
        }
        return events
    }

    /// Reads one line of the stream (without its line ending) and returns the event it
    /// dispatches, if any.
    mutating func consume(line text: String) -> ServerSentEvent? {
        var text = Substring(text)
        if isAtStart {
            isAtStart = false
            if text.first == "\u{FEFF}" { text = text.dropFirst() }
        }
        guard !text.isEmpty else { return dispatch() }
        guard text.first != ":" else { return nil }
        let name: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            name = text
            value = ""
        }
        switch name {
        case "data": data = data.map { $0 + "\n" + value } ?? String(value)
        case "event": type = String(value)
        case "id" where !value.contains("\0"): lastEventID = value.isEmpty ? nil : String(value)
        case "retry" where !value.isEmpty && value.allSatisfy(\.isASCIIDigit): retryMilliseconds = Int(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data = nil
            type = ""
        }
        guard let data else { return nil }
        return ServerSentEvent(id: lastEventID, type: type.isEmpty ? "message" : type, data: data)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
