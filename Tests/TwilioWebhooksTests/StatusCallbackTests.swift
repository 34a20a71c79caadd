import Testing
import TwilioWebhooks

@Suite("StatusCallback: reading the fields of a form")
struct StatusCallbackTests {
    func callback(_ pairs: [(String, String)]) throws -> StatusCallback {
        try StatusCallback(parameters: FormBody(pairs.map { FormBody.Parameter(name: $0.0, value: $0.1) }))
    }

    @Test func valuesAreReadWithoutTheSpacesAroundThem() throws {
        let read = try callback([
            ("MessageSid", " SM1\t"), ("MessageStatus", "\u{00A0}delivered\n"), ("ErrorCode", " 30003 "),
            ("To", "+15558675310"), ("From", "\u{2003}+15017122661"),
        ])
        #expect(read.messageSid == "SM1")
        #expect(read.reportedStatus == .delivered)
        #expect(read.errorCode == 30003)
        #expect(read.to == "+15558675310")
        #expect(read.from == "+15017122661")
    }

    @Test func aBlankValueCountsAsAbsent() throws {
        let read = try callback([("MessageSid", "  "), ("SmsSid", "SM2"), ("MessageStatus", "sent"), ("To", " ")])
        #expect(read.messageSid == "SM2")
        #expect(read.to == nil)
        #expect(throws: StatusCallbackError.self) { try callback([("MessageSid", "SM3"), ("MessageStatus", " \t ")]) }
    }
}
