import Foundation
import FuzzSupport
import TidingsCore
import TwilioWebhooks

/// `MessagingEventBatch.items(of:)`, the reader of Event Streams deliveries, on the input as
/// a body. Beyond "throws or reads, never traps": an event always has an id, a known type
/// and a SID, and makes a report of source `event-stream` keyed by its id; an unreadable
/// element always says why and keeps its JSON, which reads back as JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessagingEvents(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let items = try? MessagingEventBatch.items(of: fuzzBytes(data, size)) else { return 0 }
    for item in items {
        switch item {
        case .event(let event):
            require(!event.id.isEmpty && !event.messageSid.isEmpty, "an event without id or SID: \(event)")
            require(MessagingEvent.statusOfType[event.type] != nil, "an event of an unknown type \(event.type)")
            let report = StatusReport(event)
            require(report.source == .eventStream && report.dedupeKey == event.id, "the report lost its source or key")
            require(report.messageSid == event.messageSid && report.fields == event.fields, "the report lost fields")
        case .unreadable(let unreadable):
            require(!unreadable.reason.isEmpty, "an unreadable element without a reason")
            require(
                (try? JSONSerialization.jsonObject(with: Data(unreadable.json.utf8), options: [.fragmentsAllowed])) != nil,
                "the kept JSON does not read back: \(unreadable.json)")
        }
    }
    return 0
}

@_cdecl("FuzzMessagingEvents_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzMessagingEvents)
}
