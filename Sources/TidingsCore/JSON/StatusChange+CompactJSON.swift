import Foundation
import TwilioWebhooks

extension StatusChange {
    /// Reads a change in the compact form ``JSONWritable`` writes (no whitespace, integer
    /// numbers, known keys only); nil for any other JSON, which `JSONDecoder` then reads
    /// (see ``JSONCoding/decodeChange(_:decoder:)``).
    init?(compactJSON bytes: UnsafeBufferPointer<UInt8>) {
        var applied: Bool?, conflict: Bool?, stale: Bool?
        var channel: String?, errorMessage: String?, id: String?, previousStatus: String?, receivedAt: Date?
        var reportedStatus: String?, sid: String?, status: String?, to: String?
        var errorCode: Int?, seq: Int64?, source: ReportSource?
        var scanner = JSONScanner(bytes)
        let isWellFormed = scanner.readObject { key, scanner in
            switch key {
            case "applied": applied = scanner.readBool(); return applied != nil
            case "conflict": conflict = scanner.readBool(); return conflict != nil
            case "stale": stale = scanner.readBool(); return stale != nil
            case "channel": channel = scanner.readString(); return channel != nil
            case "errorMessage": errorMessage = scanner.readString(); return errorMessage != nil
            case "id": id = scanner.readString(); return id != nil
            case "previousStatus": previousStatus = scanner.readString(); return previousStatus != nil
            case "receivedAt": receivedAt = scanner.readTimestamp(); return receivedAt != nil
            case "reportedStatus": reportedStatus = scanner.readString(); return reportedStatus != nil
            case "sid": sid = scanner.readString(); return sid != nil
            case "source": source = scanner.readString().flatMap(ReportSource.init(rawValue:)); return source != nil
            case "status": status = scanner.readString(); return status != nil
            case "to": to = scanner.readString(); return to != nil
            case "errorCode": errorCode = scanner.readInt(); return errorCode != nil
            case "seq": seq = scanner.readInteger(); return seq != nil
            default: return false
            }
        }
        guard isWellFormed, scanner.isAtEnd,
              let applied, let conflict, let stale, let channel, let id, let sid, let status, let reportedStatus,
              let receivedAt
        else { return nil }
        self.init(
            id: id, seq: seq, receivedAt: receivedAt, source: source, sid: sid, status: MessageStatus(wireValue: status),
            previousStatus: previousStatus.map(MessageStatus.init(wireValue:)),
            reportedStatus: MessageStatus(wireValue: reportedStatus), errorCode: errorCode, errorMessage: errorMessage,
            channel: Channel(name: channel), to: to, applied: applied, conflict: conflict, stale: stale)
    }
}

extension JSONCoding {
    /// Reads a stored change: the compact form Tidings writes without `JSONDecoder`'s
    /// generic path, anything else with `decoder`.
    public static func decodeChange(_ json: String, decoder: JSONDecoder) throws -> StatusChange {
        try decode(json, compact: StatusChange.init(compactJSON:), decoder: decoder)
    }
}
