import FuzzSupport
import TidingsCore
import TwilioWebhooks

/// `StatusCallback(parameters:idempotencyToken:)` on a form body. Input: `TOKEN \n BODY`, or
/// just `BODY` when there is no newline (no idempotency token). The body is parsed with
/// `FormBody(parsing:)`, or split literally when it does not decode, so every input reaches
/// the callback. Checks that every field is the first non-blank value of its parameter(s),
/// that only a missing SID or status is refused, that warnings match unreadable fields,
/// that `status` follows `EventType`, and that the history entry Tidings stores for a
/// callback recognizes the callback as its own repeat.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatusCallback(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let token: String?
    let bodyBytes: ArraySlice<UInt8>
    if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
        token = String(decoding: bytes[..<newline], as: UTF8.self)
        bodyBytes = bytes[(newline + 1)...]
    } else {
        token = nil
        bodyBytes = bytes[...]
    }
    let form = lenientFormBody(bodyBytes)
    func first(_ names: String...) -> String? {
        for name in names {
            for parameter in form.parameters where parameter.name.utf8.elementsEqual(name.utf8) {
                // The first parameter of that name decides, blank or not.
                let trimmed = trimmed(parameter.value)
                if !trimmed.isEmpty { return trimmed }
                break
            }
        }
        return nil
    }

    let callback: StatusCallback
    do throws(StatusCallbackError) {
        callback = try StatusCallback(parameters: form, idempotencyToken: token)
    } catch {
        switch error {
        case .missingField("MessageSid"):
            require(first("MessageSid", "SmsSid", "SmsMessageSid") == nil, "refused for a missing SID that is there")
        case .missingField("MessageStatus"):
            require(first("MessageSid", "SmsSid", "SmsMessageSid") != nil && first("MessageStatus", "SmsStatus") == nil,
                    "refused for a missing status that is there")
        default:
            require(false, "unexpected refusal \(error)")
        }
        _ = error.description
        return 0
    }

    require(callback.messageSid == first("MessageSid", "SmsSid", "SmsMessageSid"), "messageSid is not the first SID")
    require(callback.reportedStatus == MessageStatus(wireValue: first("MessageStatus", "SmsStatus")!), "reportedStatus")
    require(callback.accountSid == first("AccountSid"), "accountSid")
    require(callback.from == first("From") && callback.to == first("To"), "from/to")
    require(callback.eventType == first("EventType") && callback.apiVersion == first("ApiVersion"), "eventType/apiVersion")
    require(callback.idempotencyToken == ((token?.isEmpty ?? true) ? nil : token), "idempotencyToken")
    require(callback.parameters == form, "parameters not kept as received")
    let errorText = first("ErrorCode")
    require(callback.errorCode == errorText.flatMap { Int($0) }, "errorCode")
    let dateText = first("RawDlrDoneDate")
    require(callback.rawDlrDoneDate?.raw == dateText, "rawDlrDoneDate")
    let expectedWarnings = (errorText != nil && callback.errorCode == nil ? 1 : 0)
        + (callback.rawDlrDoneDate.map { $0.isValid ? 0 : 1 } ?? 0)
    require(callback.warnings.count == expectedWarnings, "warnings \(callback.warnings)")
    require(callback.status == (callback.eventType?.uppercased() == "READ" ? .read : callback.reportedStatus), "status")
    _ = callback.channel.name
    if case .unknown = callback.reportedStatus {} else {
        require(MessageStatus(wireValue: callback.reportedStatus.wireValue) == callback.reportedStatus, "wire value round trip")
    }

    // What the state machine stores for this callback must see the same callback as a repeat.
    let report = StatusReport(callback)
    let entry = HistoryEntry(
        source: report.source, status: report.status, errorCode: report.errorCode,
        receivedAt: .init(timeIntervalSince1970: 0), eventAt: nil, applied: true, dedupeKey: nil, params: report.fields)
    require(entry.isRepeated(by: report), "a callback is not a repeat of its own history entry")
    return 0
}

@_cdecl("FuzzStatusCallback_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzStatusCallback)
}

/// `text` without the whitespace Characters at either end (the documented trimming).
func trimmed(_ text: String) -> String {
    let characters = Array(text)
    var start = 0, end = characters.count
    while start < end, characters[start].isWhitespace { start += 1 }
    while end > start, characters[end - 1].isWhitespace { end -= 1 }
    return String(characters[start..<end])
}
