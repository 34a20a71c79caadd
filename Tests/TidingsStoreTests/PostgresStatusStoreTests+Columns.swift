import Foundation
import PostgresNIO
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// The invariant the SQLite suite checks of its rows, checked of PostgreSQL's: every column
/// beside a record is the record's ``TidingsCore/MessageColumns``.
extension PostgresStatusStoreTests {
    @Test("the columns beside each record mirror it, through callbacks and stale marking")
    func columnsMirrorRecords() async throws {
        try await withInstances(1) { instances in
            let store = instances[0]
            let corpus = try MixedCorpus(messages: 60)
            for (callback, receivedAt) in corpus.callbacks {
                _ = try await store.record(callback, receivedAt: receivedAt)
            }
            let marked = try await store.markStale(
                lastChangeBefore: corpus.instant(fraction: 0.4), at: corpus.instant(fraction: 2))
            #expect(!marked.isEmpty)

            let rows = try await store.client.query(
                """
                SELECT sid, status, rank, is_final, error_code, channel, conflict, first_seen_at, updated_at,
                       record, to_address, stale, queued_to_sent, sent_to_delivered, carrier_to_callback
                FROM messages
                """)
            let decoder = JSONCoding.makeDecoder()
            var checked = 0
            for try await (sid, status, rank, isFinal, errorCode, channel, conflict, firstSeenAt, updatedAt, document, to, stale,
                           queuedToSent, sentToDelivered, carrierToCallback)
                in rows.decode((String, String, Int32?, Bool, Int64?, String, Bool, Int64, Int64, String, String?, Bool,
                                Double?, Double?, Double?).self)
            {
                let expected = MessageColumns(try MessagesTable.decode(document, decoder: decoder))
                #expect(sid == expected.sid && status == expected.status && rank.map(Int.init) == expected.rank, "\(sid)")
                #expect(isFinal == expected.isFinal && errorCode.map(Int.init) == expected.errorCode, "\(sid)")
                #expect(channel == expected.channel && conflict == expected.conflict && to == expected.to, "\(sid)")
                #expect(firstSeenAt == TimeColumn.value(expected.firstSeenAt), "\(sid)")
                #expect(updatedAt == TimeColumn.value(expected.updatedAt), "\(sid)")
                #expect(stale == expected.stale, "\(sid)")
                #expect(
                    MessageLatencies(queuedToSent: queuedToSent, sentToDelivered: sentToDelivered, carrierToCallback: carrierToCallback)
                        == expected.latencies, "\(sid)")
                checked += 1
            }
            #expect(checked == Set(corpus.callbacks.map(\.0.messageSid)).count)
        }
    }
}
