import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

@Suite("StatusMachine: the rules of DESIGN.md")
struct StatusMachineTests {
    let sid = CallbackFixtures.sid(1)
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Feeds callbacks one second apart and returns the machine and every transition.
    func run(_ callbacks: [StatusCallback]) -> (record: MessageRecord, transitions: [StatusMachine.Transition]) {
        var machine = StatusMachine(record: nil)
        let transitions = callbacks.enumerated().map { index, callback in
            machine.receive(callback, at: start.addingTimeInterval(Double(index)))
        }
        return (machine.record!, transitions)
    }

    func callback(_ status: String, errorCode: Int? = nil, eventType: String? = nil, token: String? = nil) throws -> StatusCallback {
        try CallbackFixtures.callback(sid: sid, status: status, errorCode: errorCode, eventType: eventType, idempotencyToken: token)
    }

    @Test func aWholeLifeEndsDeliveredWithATimeline() throws {
        let (record, _) = try run(["accepted", "queued", "sending", "sent", "delivered"].map { try callback($0) })
        #expect(record.status == .delivered)
        #expect(record.timeline.map(\.status) == [.accepted, .queued, .sending, .sent, .delivered])
        #expect(record.history.count == 5)
        #expect(record.history.allSatisfy { $0.applied })
        #expect(!record.conflict)
    }

    @Test func aChannelGuessedFromTheSIDIsCorrectedByAReportThatNamesIt() throws {
        var machine = StatusMachine(record: nil)
        let receipt = StatusReport(
            source: .conversations, messageSid: sid, status: .sent, errorCode: nil, dedupeKey: "DY1/sent",
            channel: Channel(channelPrefix: nil, addresses: [], messageSid: sid, mediaCount: nil), fields: FormBody([]))
        _ = machine.receive(receipt, at: start)
        #expect(machine.record?.channel == .sms, "an SM… heard of without addresses is taken for SMS")
        _ = machine.receive(try CallbackFixtures.callback(sid: sid, status: "delivered", to: "whatsapp:+15558675310"), at: start.addingTimeInterval(1))
        #expect(machine.record?.channel == .whatsapp)
        _ = machine.receive(try callback("read"), at: start.addingTimeInterval(2))
        #expect(machine.record?.channel == .whatsapp, "a plain address later does not undo it")
    }

    @Test func aLowerRankArrivingLateIsHistoryNotARegression() throws {
        let (record, transitions) = try run([callback("delivered"), callback("sent")])
        #expect(record.status == .delivered)
        #expect(record.history.map(\.applied) == [true, false])
        guard case .recorded(let late) = transitions[1] else { Issue.record("late sent was not recorded"); return }
        #expect(late.applied == false)
        #expect(late.status == .delivered)
        #expect(late.reportedStatus == .sent)
        #expect(record.timeline.map(\.status) == [.sent, .delivered])
    }

    @Test func anEqualRankDoesNotMove() throws {
        let (record, _) = try run([callback("accepted"), callback("scheduled")])
        #expect(record.status == .accepted)
        #expect(record.history.map(\.applied) == [true, false])
    }

    @Test func readBeforeDeliveredMovesToReadAndTheLateDeliveredFillsTheTimeline() throws {
        let (record, _) = try run([callback("sent"), callback("read"), callback("delivered")])
        #expect(record.status == .read)
        #expect(!record.conflict)
        #expect(record.timeline.map(\.status) == [.sent, .delivered, .read])
    }

    @Test func readAfterUndeliveredMovesToReadAndFlagsAConflict() throws {
        let (record, _) = try run([callback("undelivered", errorCode: 30003), callback("read")])
        #expect(record.status == .read)
        #expect(record.conflict)
    }

    @Test func eventTypeReadMeansReadWhateverMessageStatusSays() throws {
        let (record, _) = try run([callback("delivered"), callback("delivered", eventType: "READ")])
        #expect(record.status == .read)
        #expect(record.history.last?.status == .read)
    }

    @Test func theFirstFinalStatusWinsAndALaterConflictingOneIsFlagged() throws {
        let (record, transitions) = try run([callback("delivered"), callback("undelivered", errorCode: 30005)])
        #expect(record.status == .delivered)
        #expect(record.conflict)
        #expect(record.history.count == 2)
        guard case .recorded(let change) = transitions[1] else { Issue.record("not recorded"); return }
        #expect(change.conflict && !change.applied)
    }

    @Test func theSameFinalStatusAgainWithAnotherErrorIsNotAConflict() throws {
        let (record, _) = try run([callback("undelivered", errorCode: 30003), callback("undelivered", errorCode: 30005)])
        #expect(record.status == .undelivered)
        #expect(record.errorCode == 30003)
        #expect(!record.conflict)
    }

    @Test func anExactRepeatIsADuplicate() throws {
        let (record, transitions) = try run([callback("sent"), callback("sent")])
        #expect(transitions[1] == .duplicate)
        #expect(record.history.count == 1)
        #expect(record.history[0].duplicates == 1)
    }

    @Test func aRepeatedIdempotencyTokenIsADuplicateEvenIfTheBodyDiffers() throws {
        let (record, transitions) = try run([callback("sent", token: "tok-1"), callback("delivered", token: "tok-1")])
        #expect(transitions[1] == .duplicate)
        #expect(record.status == .sent)
    }

    @Test func theSameStatusWithADifferentErrorIsNotADuplicate() throws {
        let (record, transitions) = try run([callback("failed", errorCode: 30008), callback("failed", errorCode: 30007)])
        #expect(transitions[1] != .duplicate)
        #expect(record.history.count == 2)
    }

    @Test func anUnknownStatusIsKeptAndNeverMovesAKnownOne() throws {
        let (record, transitions) = try run([callback("sent"), callback("carrier_pondering")])
        #expect(record.status == .sent)
        #expect(record.history.last?.status == .unknown("carrier_pondering"))
        #expect(record.history.last?.applied == false)
        guard case .recorded(let change) = transitions[1] else { Issue.record("not recorded"); return }
        #expect(change.reportedStatus == .unknown("carrier_pondering"))
    }

    @Test func aKnownStatusReplacesAnUnknownFirstOne() throws {
        let (record, _) = try run([callback("carrier_pondering"), callback("queued")])
        #expect(record.status == .queued)
    }

    @Test func theErrorCodeComesWithTheStatusThatSetIt() throws {
        let (record, _) = try run([callback("sent"), callback("undelivered", errorCode: 30003), callback("sent")])
        #expect(record.errorCode == 30003)
    }

    @Test func theErrorCodeComesWithWhatItMeansAndAnUnknownCodeSaysSo() throws {
        let (known, _) = try run([callback("undelivered", errorCode: 30003)])
        #expect(known.errorMessage == ErrorCatalog.twilio.entry(for: 30003)?.title)
        #expect(known.errorMessage != nil)
        let (unknown, _) = try run([callback("failed", errorCode: 39_999)])
        #expect(unknown.errorMessage?.contains("Unknown Twilio error code") == true)
        #expect(unknown.errorCode == 39_999)
    }

    @Test func theCarrierDoneTimeComesFromRawDlrDoneDate() throws {
        let receipt = try CallbackFixtures.callback(sid: sid, status: "delivered", rawDlrDoneDate: "2611231904")
        let (record, _) = try run([callback("sent"), receipt])
        #expect(record.rawDlrDoneDate == "2611231904")
        let expected = DateComponents(
            calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
            year: 2026, month: 11, day: 23, hour: 19, minute: 4
        ).date
        #expect(record.carrierDoneAt == expected)
    }

    @Test func anInvalidRawDlrDoneDateIsKeptRaw() throws {
        let receipt = try CallbackFixtures.callback(sid: sid, status: "delivered", rawDlrDoneDate: "2613991299")
        let (record, _) = try run([receipt])
        #expect(record.rawDlrDoneDate == "2613991299")
        #expect(record.carrierDoneAt == nil)
    }

    @Test func unknownParametersAreKeptVerbatim() throws {
        let unusual = try CallbackFixtures.callback(sid: sid, status: "sent", extra: [.init(name: "BrandNewField", value: "a b&c")])
        let (record, _) = try run([unusual])
        #expect(record.history[0].params["BrandNewField"] == "a b&c")
        #expect(record.history[0].params.parameters == unusual.parameters.parameters)
    }

    // MARK: Order independence

    static let lives: [(statuses: [String], status: MessageStatus, conflict: Bool)] = [
        (["accepted", "queued", "sending", "sent", "delivered"], .delivered, false),
        (["queued", "sent", "delivered", "read"], .read, false),
        (["queued", "sending", "sent", "undelivered"], .undelivered, false),
        (["queued", "failed"], .failed, false),
        (["scheduled", "canceled"], .canceled, false),
        (["queued", "sent", "undelivered", "read"], .read, true),
        (["receiving", "received"], .received, false),
        (["queued", "sent", "mystery_status", "delivered"], .delivered, false),
    ]

    @Test("Any order of a message's callbacks ends in the same status", arguments: lives.indices)
    func everyPermutationAgrees(life: Int) throws {
        let (statuses, expectedStatus, expectedConflict) = Self.lives[life]
        let callbacks = try statuses.map { status in
            try callback(status, errorCode: ["undelivered", "failed"].contains(status) ? 30003 : nil)
        }
        var outcomes: Set<String> = []
        for order in permutations(of: Array(callbacks.indices)) {
            let (record, _) = run(order.map { callbacks[$0] })
            #expect(record.status == expectedStatus, "order \(order.map { statuses[$0] })")
            #expect(record.conflict == expectedConflict, "order \(order.map { statuses[$0] })")
            #expect(record.history.count == callbacks.count)
            outcomes.insert("\(record.status) \(record.errorCode as Any) \(record.timeline.map(\.status))")
        }
        #expect(outcomes.count == 1, "orders disagreed: \(outcomes)")
    }

    /// Every ordering of `items` (Heap's algorithm).
    func permutations(of items: [Int]) -> [[Int]] {
        var items = items
        var result: [[Int]] = []
        func generate(_ count: Int) {
            guard count > 1 else { result.append(items); return }
            for index in 0..<count {
                generate(count - 1)
                items.swapAt(count % 2 == 0 ? index : 0, count - 1)
            }
        }
        generate(items.count)
        return result
    }
}
