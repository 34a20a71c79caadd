import Foundation
import Testing
@testable import TwilioWebhooks

/// The Messages API's answer for one message, as reconciliation will read it.
@Suite("MessageResource: the Messages API's answer")
struct MessageResourceTests {
    /// An answer in the shape of Twilio's reference example (the seed `004_…`).
    static let answer = #"""
        {"account_sid":"AC11111111111111111111111111111111","api_version":"2010-04-01","body":"Your code is 123456",
         "date_created":"Thu, 24 Aug 2023 05:01:45 +0000","date_sent":"Thu, 24 Aug 2023 05:01:45 +0000",
         "date_updated":"Thu, 24 Aug 2023 05:01:48 +0000","direction":"outbound-api","error_code":30003,
         "error_message":"Unreachable destination handset","from":"+14155552345","messaging_service_sid":null,
         "num_media":"0","num_segments":"1","price":null,"price_unit":"USD","sid":"SM22222222222222222222222222222222",
         "status":"undelivered","subresource_uris":{"media":"/2010-04-01/Accounts/AC1/Messages/SM2/Media.json"},
         "to":"+14155552346","uri":"/2010-04-01/Accounts/AC1/Messages/SM2.json"}
        """#

    @Test func theAnswerIsReadWithItsRFC2822Times() throws {
        let resource = try MessageResource(json: Array(Self.answer.utf8))
        #expect(resource.sid == "SM22222222222222222222222222222222")
        #expect(resource.status == .undelivered && resource.errorCode == 30003)
        #expect(resource.dateUpdated == Date(timeIntervalSince1970: 1_692_853_308))
        #expect(resource.dateSent == Date(timeIntervalSince1970: 1_692_853_305))
        #expect(resource.to == "+14155552346" && resource.from == "+14155552345" && resource.messagingServiceSid == nil)
        #expect(resource.fields["body"] == nil, "the message's body is never kept")
        #expect(resource.fields["error_message"] == "Unreachable destination handset")
        #expect(resource.fields["num_segments"] == "1")
    }

    @Test(arguments: [
        (#"{"status":"sent"}"#, "the answer has no sid"),
        (#"{"sid":"SM1"}"#, "the answer has no status"),
        ("[]", "the answer is not a JSON object"),
        ("not json", "the answer is not a JSON object"),
    ])
    func anAnswerThatIsNoMessageSaysWhy(json: String, reason: String) {
        #expect(throws: MessageResource.Unreadable(description: reason)) { try MessageResource(json: Array(json.utf8)) }
    }

    @Test func aNullErrorCodeAndAnOddDateAreNone() throws {
        let resource = try MessageResource(
            json: Array(#"{"sid":"SM1","status":"DELIVERED","error_code":null,"date_updated":"yesterday"}"#.utf8))
        #expect(resource.status == .delivered && resource.errorCode == nil && resource.dateUpdated == nil)
    }
}
