import Foundation
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// Eight messages, one of each kind the listing and the stats tell apart, recorded into a
/// store by ``record(in:)``; their times are `CallbackFixtures.time(n)`, n as noted.
///
/// | message | channel, recipient | callbacks | then |
/// |---|---|---|---|
/// | ``delivered`` | sms, ``firstRecipient`` | queued 0, sent 1, delivered 10 | delivered, final |
/// | ``undelivered`` | sms | queued 2, undelivered 30003 at 11 | final, error 30003 |
/// | ``sentOnWhatsApp`` | whatsapp | queued 3, sent 12 | in flight |
/// | ``conflicting`` | whatsapp | delivered 4, failed 63016 at 13 | delivered, conflict, no error |
/// | ``quiet`` | sms, ``firstRecipient`` | queued 5 | in flight; stale (see below) |
/// | ``failedOnRCS`` | rcs | failed 30008 at 14 | final, error 30008 |
/// | ``sending`` | sms | sending 15 | in flight |
/// | ``lateUndelivered`` | sms | undelivered 30003 at 15 | final, error 30003 |
///
/// Then every message in flight whose last change is before `time(12)` is marked stale at
/// `time(100)`: only ``quiet``. Newest change first, SID breaking ties, the messages are
/// ``newestFirst``.
enum MessageCatalogue {
    typealias Fixture = CallbackFixtures

    static let delivered = Fixture.sid(1)
    static let undelivered = Fixture.sid(2)
    static let sentOnWhatsApp = Fixture.sid(3)
    static let conflicting = Fixture.sid(4)
    static let quiet = Fixture.sid(5)
    static let failedOnRCS = Fixture.sid(6)
    static let sending = Fixture.sid(7)
    static let lateUndelivered = Fixture.sid(8)

    /// The recipient of ``delivered`` and ``quiet``.
    static let firstRecipient = "+15550000001"

    /// Every message, newest change first.
    static let newestFirst = [
        lateUndelivered, sending, failedOnRCS, conflicting, sentOnWhatsApp, undelivered, delivered, quiet,
    ]

    /// Records the catalogue's callbacks, in the order of their times, and marks ``quiet``
    /// stale.
    static func record(in store: any StatusStore) async throws {
        let whatsApp = "whatsapp:+15550000003"
        let callbacks: [(Int, StatusCallback)] = [
            (0, try Fixture.callback(sid: delivered, status: "queued", to: firstRecipient)),
            (1, try Fixture.callback(sid: delivered, status: "sent", to: firstRecipient)),
            (2, try Fixture.callback(sid: undelivered, status: "queued", to: "+15550000002")),
            (3, try Fixture.callback(sid: sentOnWhatsApp, status: "queued", to: whatsApp)),
            (4, try Fixture.callback(sid: conflicting, status: "delivered", to: "whatsapp:+15550000004")),
            (5, try Fixture.callback(sid: quiet, status: "queued", to: firstRecipient)),
            (10, try Fixture.callback(sid: delivered, status: "delivered", to: firstRecipient)),
            (11, try Fixture.callback(sid: undelivered, status: "undelivered", errorCode: 30003, to: "+15550000002")),
            (12, try Fixture.callback(sid: sentOnWhatsApp, status: "sent", to: whatsApp)),
            (13, try Fixture.callback(
                sid: conflicting, status: "failed", errorCode: 63016, to: "whatsapp:+15550000004")),
            (14, try Fixture.callback(sid: failedOnRCS, status: "failed", errorCode: 30008, to: "rcs:+15550000006")),
            (15, try Fixture.callback(sid: sending, status: "sending", to: "+15550000007")),
            (15, try Fixture.callback(sid: lateUndelivered, status: "undelivered", errorCode: 30003, to: "+15550000008")),
        ]
        for (seconds, callback) in callbacks {
            _ = try await store.record(callback, receivedAt: Fixture.time(seconds))
        }
        _ = try await store.markStale(lastChangeBefore: Fixture.time(12), at: Fixture.time(100))
    }
}
