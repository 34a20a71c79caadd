import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

/// The bad-input table of the README, one test a row, plus the happy paths.
@Suite("POST /twilio/status")
struct CallbackRouteTests {
    let sid = CallbackFixtures.sid(0xabc)

    func form(_ status: String = "sent", errorCode: Int? = nil, extra: [FormBody.Parameter] = []) -> FormBody {
        CallbackFixtures.parameters(sid: sid, status: status, errorCode: errorCode, extra: extra)
    }

    @Test func aSignedCallbackIsStoredAndAcknowledgedWith204() async throws {
        let server = TestServer()
        try await server.application().test(.router) { client in
            try await TestServer.post(form("sent"), with: client, expecting: .noContent)
            let record = try await TestServer.message(sid, with: client)
            #expect(record?.status == .sent)
            #expect(record?.to == "+15558675310")
        }
        let changes = await server.sink.waitForChanges(count: 1)
        #expect(changes.map(\.sid) == [sid])
    }

    @Test func aWholeLifeIsVisibleThroughTheAPI() async throws {
        let server = TestServer()
        try await server.application().test(.router) { client in
            for status in ["queued", "sent"] {
                try await TestServer.post(form(status), with: client, expecting: .noContent)
            }
            let failure = CallbackFixtures.parameters(
                sid: sid, status: "undelivered", errorCode: 30003, rawDlrDoneDate: "2611231904",
                extra: [.init(name: "ChannelStatusMessage", value: "absent subscriber")])
            try await TestServer.post(failure, with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.status == .undelivered)
            #expect(record.errorCode == 30003)
            #expect(record.channel == .sms)
            #expect(record.rawDlrDoneDate == "2611231904")
            #expect(record.carrierDoneAt != nil)
            #expect(record.channelStatusMessage == "absent subscriber")
            #expect(record.history.map(\.status) == [.queued, .sent, .undelivered])
        }
        let changes = await server.sink.waitForChanges(count: 3)
        #expect(changes.map(\.status) == [.queued, .sent, .undelivered])
    }

    @Test func aMissingSignatureIs403() async throws {
        try await TestServer().application().test(.router) { client in
            let status = try await client.execute(
                uri: "/twilio/status", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form().encoded())) { $0.status }
            #expect(status == .forbidden)
            #expect(try await TestServer.message(sid, with: client) == nil)
        }
    }

    @Test func aForgedSignatureIs403AndStoresNothing() async throws {
        try await TestServer().application().test(.router) { client in
            var (headers, body) = TestServer.signedForm(form(), token: "someone-elses-token")
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)
            #expect(response.status == .forbidden)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.code == "invalid_signature")
            #expect(error.error.message.contains(TestServer.callbackURL))
            #expect(!String(buffer: response.body).contains(TestServer.authToken))
            #expect(try await TestServer.message(sid, with: client) == nil)
        }
    }

    @Test func aSignatureForAnotherURLIs403() async throws {
        try await TestServer().application().test(.router) { client in
            try await TestServer.post(form(), with: client, url: "https://localhost/twilio/status", expecting: .forbidden)
        }
    }

    @Test func aTamperedParameterIs403() async throws {
        try await TestServer().application().test(.router) { client in
            let (headers, _) = TestServer.signedForm(form("sent"))
            let tampered = ByteBuffer(string: form("delivered").encoded())
            let status = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: tampered) { $0.status }
            #expect(status == .forbidden)
            #expect(try await TestServer.message(sid, with: client) == nil)
        }
    }

    @Test func withNoAuthTokenEveryCallbackIs403() async throws {
        var server = TestServer()
        server.configuration.authTokens = []
        try await server.application().test(.router) { client in
            try await TestServer.post(form(), with: client, expecting: .forbidden)
        }
    }

    @Test func theSecondTokenOfARotationIsAccepted() async throws {
        var server = TestServer()
        server.configuration.authTokens = ["new-token", TestServer.authToken]
        try await server.application().test(.router) { client in
            try await TestServer.post(form(), with: client, expecting: .noContent)
        }
    }

    @Test func anotherContentTypeIs415() async throws {
        try await TestServer().application().test(.router) { client in
            var (headers, body) = TestServer.signedForm(form())
            headers[.contentType] = "text/plain"
            let status = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body) { $0.status }
            #expect(status == .unsupportedMediaType)
        }
    }

    @Test func aBodyOver64KiBIs413() async throws {
        try await TestServer().application().test(.router) { client in
            let huge = form(extra: [.init(name: "Padding", value: String(repeating: "x", count: 65 * 1024))])
            try await TestServer.post(huge, with: client, expecting: .contentTooLarge)
        }
    }

    @Test func aBodyThatDoesNotDecodeIs400() async throws {
        try await TestServer().application().test(.router) { client in
            let (headers, _) = TestServer.signedForm(form())
            let response = try await client.execute(
                uri: "/twilio/status", method: .post, headers: headers,
                body: ByteBuffer(string: "MessageSid=\(sid)&MessageStatus=sent&Body=100%ZZ"))
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("Body"))
        }
    }

    @Test func aSignedBodyWithANULCharacterIs400NamingTheParameter() async throws {
        try await TestServer().application().test(.router) { client in
            let (headers, body) = TestServer.signedForm(form(extra: [.init(name: "ChannelStatusMessage", value: "a\0b")]))
            let response = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)
            #expect(response.status == .badRequest)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.field == "ChannelStatusMessage")
            #expect(error.error.message.contains("NUL"))
            #expect(try await TestServer.message(sid, with: client) == nil)
        }
    }

    @Test("A signed body without a required field is 400 naming it", arguments: ["MessageSid", "MessageStatus"])
    func aMissingRequiredFieldIs400(field: String) async throws {
        try await TestServer().application().test(.router) { client in
            let aliases = field == "MessageSid" ? ["MessageSid", "SmsSid"] : ["MessageStatus", "SmsStatus"]
            let incomplete = FormBody(form().parameters.filter { !aliases.contains($0.name) })
            let (headers, body) = TestServer.signedForm(incomplete)
            let response = try await client.execute(uri: "/twilio/status", method: .post, headers: headers, body: body)
            #expect(response.status == .badRequest)
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(error.error.field == field)
        }
    }

    @Test func anUnknownStatusAndUnknownFieldsAreKept() async throws {
        try await TestServer().application().test(.router) { client in
            try await TestServer.post(form("sent"), with: client, expecting: .noContent)
            let novel = form("teleported", extra: [.init(name: "QuantumChannel", value: "entangled")])
            try await TestServer.post(novel, with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.status == .sent)
            #expect(record.history.last?.status == .unknown("teleported"))
            #expect(record.history.last?.params["QuantumChannel"] == "entangled")
        }
    }

    @Test func anInvalidRawDlrDoneDateIsKeptNot400() async throws {
        try await TestServer().application().test(.router) { client in
            let odd = CallbackFixtures.parameters(sid: sid, status: "delivered", rawDlrDoneDate: "not-a-date")
            try await TestServer.post(odd, with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.rawDlrDoneDate == "not-a-date")
            #expect(record.carrierDoneAt == nil)
        }
    }

    @Test func aDuplicateIsAcknowledgedStoredOnceAndNotForwarded() async throws {
        let server = TestServer()
        try await server.application().test(.router) { client in
            let token: HTTPFields = [HTTPField.Name("I-Twilio-Idempotency-Token")!: "retry-1"]
            try await TestServer.post(form("sent"), with: client, extraHeaders: token, expecting: .noContent)
            try await TestServer.post(form("sent"), with: client, extraHeaders: token, expecting: .noContent)
            try await TestServer.post(form("delivered"), with: client, expecting: .noContent)
            let record = try #require(try await TestServer.message(sid, with: client))
            #expect(record.history.count == 2)
            #expect(record.history[0].duplicates == 1)
        }
        let changes = await server.sink.waitForChanges(count: 2)
        #expect(changes.map(\.status) == [.sent, .delivered])
    }

    @Test func aStoreThatIsDownIs503() async throws {
        var server = TestServer()
        server.store = UnavailableStore()
        try await server.application().test(.router) { client in
            try await TestServer.post(form(), with: client, expecting: .serviceUnavailable)
        }
    }

    @Test func aJSONBodyIsCheckedAgainstBodySHA256() async throws {
        try await TestServer().application().test(.router) { client in
            let json = ByteBuffer(string: #"{"MessageSid":"\#(sid)","MessageStatus":"delivered"}"#)
            let digest = SignatureValidator.bodySHA256(of: Array(buffer: json))
            let path = "/twilio/status?bodySHA256=\(digest)"
            let url = "http://localhost" + path
            let signature = SignatureValidator.signature(authToken: TestServer.authToken, url: url, body: .json(bytes: Array(buffer: json)))
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("X-Twilio-Signature")!] = signature
            let accepted = try await client.execute(uri: path, method: .post, headers: headers, body: json) { $0.status }
            #expect(accepted == .noContent)
            #expect(try await TestServer.message(sid, with: client)?.status == .delivered)

            let other = ByteBuffer(string: #"{"MessageSid":"\#(sid)","MessageStatus":"failed"}"#)
            let forged = try await client.execute(uri: path, method: .post, headers: headers, body: other) { $0.status }
            #expect(forged == .forbidden)
            let after = try #require(try await TestServer.message(sid, with: client))
            #expect(after.status == .delivered)
            #expect(after.history.count == 1)
        }
    }
}

/// The JSON error body of the API.
struct ErrorBody: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String
        let field: String?
    }
    let error: Detail
}
