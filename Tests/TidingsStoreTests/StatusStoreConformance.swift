import Foundation
import Testing
import TidingsTestSupport
import TidingsCore
import TwilioWebhooks

/// What every ``StatusStore`` must do, written once and run against every backend.
///
/// Each case checks both what ``StatusRecording/record(_:receivedAt:)`` returned and what the
/// store gives back afterwards through ``MessageQuerying/message(sid:)``.
@Suite("StatusStore conformance")
struct StatusStoreConformance {
    typealias Fixture = CallbackFixtures

    /// Records `callbacks` one after the other, the n-th received at `time(n)`.
    private func recordInOrder(
        _ callbacks: [StatusCallback], in store: any StatusStore
    ) async throws -> [RecordOutcome] {
        var outcomes: [RecordOutcome] = []
        for (index, callback) in callbacks.enumerated() {
            outcomes.append(try await store.record(callback, receivedAt: Fixture.time(index)))
        }
        return outcomes
    }

    @Test("the first callback creates the record", arguments: StoreKind.allCases)
    func firstCallbackCreatesTheRecord(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(1)
            let callback = try Fixture.callback(
                sid: sid, status: "queued", to: "whatsapp:+15558675310", from: "whatsapp:+15017122661")

            let outcome = try await store.record(callback, receivedAt: Fixture.time(0))
            let stored = try #require(try await store.message(sid: sid))

            for record in [outcome.record, stored] {
                #expect(record.sid == sid)
                #expect(record.status == .queued)
                #expect(record.channel == .whatsapp)
                #expect(record.to == "whatsapp:+15558675310")
                #expect(record.from == "whatsapp:+15017122661")
                #expect(record.accountSid == Fixture.accountSid)
                #expect(record.messagingServiceSid == Fixture.messagingServiceSid)
                #expect(record.firstSeenAt == Fixture.time(0))
                #expect(record.history.map(\.status) == [.queued])
            }
            #expect(outcome.change?.previousStatus == nil)
            #expect(outcome.change?.applied == true)
        }
    }

    @Test("a message's document is its record as JSONCoding writes it; an unknown SID has none", arguments: StoreKind.allCases)
    func documentIsTheRecordsJSON(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(9)
            _ = try await recordInOrder(
                [try Fixture.callback(sid: sid, status: "sent"), try Fixture.callback(sid: sid, status: "undelivered", errorCode: 30003)],
                in: store)
            let record = try #require(try await store.message(sid: sid))
            let document = try #require(try await store.messageDocument(sid: sid))
            #expect(document == JSONCoding.encoded(record))
            #expect(try JSONCoding.makeDecoder().decode(MessageRecord.self, from: Data(document)) == record)
            #expect(try await store.messageDocument(sid: Fixture.sid(10)) == nil)
        }
    }

    @Test("a whole life ends delivered with its timeline in rank order", arguments: StoreKind.allCases)
    func wholeLife(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(2)
            let statuses = ["queued", "sending", "sent", "delivered"]
            let outcomes = try await recordInOrder(
                statuses.map { try Fixture.callback(sid: sid, status: $0) }, in: store)

            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.status == .delivered)
            #expect(stored.isFinal)
            #expect(stored.timeline.map(\.status) == [.queued, .sending, .sent, .delivered])
            #expect(stored.timeline.map(\.at) == statuses.indices.map(Fixture.time))
            #expect(stored.history.count == 4)
            #expect(stored.history.allSatisfy { $0.applied })
            #expect(outcomes.map { $0.change?.status } == [.queued, .sending, .sent, .delivered])
        }
    }

    @Test("a late callback is history, not a regression", arguments: StoreKind.allCases)
    func lateCallbackDoesNotRegress(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(3)
            let outcomes = try await recordInOrder(
                [
                    try Fixture.callback(sid: sid, status: "delivered"),
                    try Fixture.callback(sid: sid, status: "sent"),
                ], in: store)

            #expect(outcomes[0].change?.applied == true)
            #expect(outcomes[1].change?.applied == false)
            #expect(outcomes[1].change?.status == .delivered)
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.status == .delivered)
            #expect(stored.history.map(\.status) == [.delivered, .sent])
            #expect(stored.history.map(\.applied) == [true, false])
            #expect(stored.timeline.map(\.status) == [.sent, .delivered])
        }
    }

    @Test("an exact repeat is a duplicate, stored once", arguments: StoreKind.allCases)
    func exactRepeatIsDuplicate(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(4)
            let callback = try Fixture.callback(sid: sid, status: "sent")
            let outcomes = try await recordInOrder([callback, callback], in: store)

            #expect(outcomes[0].change != nil)
            #expect(outcomes[1].change == nil)
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.history.count == 1)
            #expect(stored.history.first?.duplicates == 1)
            #expect(stored.updatedAt == Fixture.time(0))
        }
    }

    @Test("the same idempotency token is a duplicate", arguments: StoreKind.allCases)
    func sameIdempotencyTokenIsDuplicate(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(5)
            let outcomes = try await recordInOrder(
                [
                    try Fixture.callback(sid: sid, status: "sent", idempotencyToken: "token-1"),
                    try Fixture.callback(sid: sid, status: "delivered", idempotencyToken: "token-1"),
                    try Fixture.callback(sid: sid, status: "delivered", idempotencyToken: "token-2"),
                ], in: store)

            #expect(outcomes.map { $0.change == nil } == [false, true, false])
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.history.map(\.dedupeKey) == ["token-1", "token-2"])
            #expect(stored.history.map(\.duplicates) == [1, 0])
            #expect(stored.status == .delivered)
        }
    }

    @Test("conflicting final statuses flag a conflict", arguments: StoreKind.allCases)
    func conflictingFinals(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(6)
            let outcomes = try await recordInOrder(
                [
                    try Fixture.callback(sid: sid, status: "delivered"),
                    try Fixture.callback(sid: sid, status: "undelivered", errorCode: 30003),
                ], in: store)

            #expect(outcomes.map { $0.change?.conflict } == [false, true])
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.conflict)
            #expect(stored.status == .delivered)
            #expect(stored.errorCode == nil)
            #expect(stored.history.map(\.errorCode) == [nil, 30003])
        }
    }

    @Test("an unknown status is kept in history and does not move the status", arguments: StoreKind.allCases)
    func unknownStatus(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(7)
            let outcomes = try await recordInOrder(
                [
                    try Fixture.callback(sid: sid, status: "sent"),
                    try Fixture.callback(sid: sid, status: "held_by_carrier"),
                ], in: store)

            #expect(outcomes[1].change?.applied == false)
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.status == .sent)
            #expect(stored.history.map(\.status) == [.sent, .unknown("held_by_carrier")])
            #expect(stored.timeline.map(\.status) == [.sent])
        }
    }

    @Test("unknown parameters are kept verbatim", arguments: StoreKind.allCases)
    func unknownParameters(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(8)
            let callback = try Fixture.callback(
                sid: sid, status: "sent",
                extra: [
                    .init(name: "NewTwilioThing", value: " a b&c=d é "),
                    .init(name: "Tag", value: "1"),
                    .init(name: "Tag", value: "2"),
                ])
            _ = try await store.record(callback, receivedAt: Fixture.time(0))

            let params = try #require(try await store.message(sid: sid)?.history.first?.params)
            #expect(params["NewTwilioThing"] == " a b&c=d é ")
            #expect(params.parameters.filter { $0.name == "Tag" }.map(\.value) == ["1", "2"])
            // Every parameter, in order, repeats included.
            #expect(params.parameters == callback.parameters.parameters)
        }
    }

    @Test("an unknown SID has no record", arguments: StoreKind.allCases)
    func unknownSid(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.record(
                try Fixture.callback(sid: Fixture.sid(9), status: "sent"), receivedAt: Fixture.time(0))

            #expect(try await store.message(sid: Fixture.sid(10)) == nil)
            #expect(try await store.message(sid: Fixture.sid(9)) != nil)
        }
    }

    @Test("RawDlrDoneDate gives the carrier's done time and is kept raw", arguments: StoreKind.allCases)
    func carrierDoneTime(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(11)
            _ = try await store.record(
                try Fixture.callback(sid: sid, status: "delivered", rawDlrDoneDate: "2611231904"),
                receivedAt: Fixture.time(0))

            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
            let doneAt = calendar.date(
                from: DateComponents(year: 2026, month: 11, day: 23, hour: 19, minute: 4))
            let stored = try #require(try await store.message(sid: sid))
            #expect(stored.carrierDoneAt == doneAt)
            #expect(stored.rawDlrDoneDate == "2611231904")
            #expect(stored.history.first?.params["RawDlrDoneDate"] == "2611231904")
        }
    }

    @Test("200 concurrent callbacks for 20 messages lose nothing", arguments: StoreKind.allCases)
    func concurrentCallbacks(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let messages = 20
            let callbacksPerMessage = 10
            let statuses = ["accepted", "queued", "sending", "sent", "delivered"]
            // Distinct receipt dates make every callback distinct, whatever its status.
            func receiptDate(_ index: Int) -> String { "26112319" + String(format: "%02d", index) }

            let outcomes = try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
                for message in 0..<messages {
                    for index in 0..<callbacksPerMessage {
                        let callback = try Fixture.callback(
                            sid: Fixture.sid(100 + message), status: statuses[index % statuses.count],
                            rawDlrDoneDate: receiptDate(index))
                        group.addTask {
                            try await store.record(callback, receivedAt: Fixture.time(index))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(outcomes.count == messages * callbacksPerMessage)
            #expect(outcomes.allSatisfy { $0.change != nil })
            for message in 0..<messages {
                let stored = try #require(try await store.message(sid: Fixture.sid(100 + message)))
                #expect(stored.history.count == callbacksPerMessage)
                #expect(
                    Set(stored.history.compactMap { $0.params["RawDlrDoneDate"] })
                        == Set((0..<callbacksPerMessage).map(receiptDate)))
                #expect(stored.status == .delivered)
                #expect(stored.timeline.count == statuses.count)
            }
        }
    }

    @Test("parameters keep their order and repeats", arguments: StoreKind.allCases)
    func parameterOrder(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sid = Fixture.sid(12)
            let callback = try Fixture.callback(
                sid: sid, status: "sent",
                extra: [.init(name: "Tag", value: "1"), .init(name: "B", value: "x"), .init(name: "Tag", value: "0")])
            _ = try await store.record(callback, receivedAt: Fixture.time(0))
            let stored = try await store.message(sid: sid)

            #expect(stored?.history.first?.params == callback.parameters)
        }
    }

    @Test("times are kept to the millisecond through later callbacks", arguments: StoreKind.allCases)
    func millisecondTimes(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var drifts: [TimeInterval] = []
            for message in 0..<20 {
                let sid = Fixture.sid(200 + message)
                let firstSeen = Fixture.time(0).addingTimeInterval(TimeInterval(message * 37 + 1) / 1000)
                for (offset, status) in ["queued", "sent", "delivered"].enumerated() {
                    _ = try await store.record(
                        try Fixture.callback(sid: sid, status: status),
                        receivedAt: firstSeen.addingTimeInterval(TimeInterval(offset)))
                }
                let stored = try #require(try await store.message(sid: sid))
                drifts.append(abs(stored.firstSeenAt.timeIntervalSince(firstSeen)))
            }

            #expect(drifts.allSatisfy { $0 < 0.0005 }, "drifts: \(drifts)")
        }
    }
}
