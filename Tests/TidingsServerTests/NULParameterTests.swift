import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsServer

/// A NUL character (`%00`) in a `/v1` path parameter or text filter is a `400` naming the
/// parameter, before any store sees it: PostgreSQL cannot take one in text, so such a
/// request failed as `503 store_unavailable` with an error in the log (found probing the
/// routes of the OpenAPI document, .ci/contract-tests.sh). No SID, address, channel or
/// status has one.
@Suite("A NUL character in a /v1 parameter")
struct NULParameterTests {
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let code: String
            let field: String?
        }
        let error: Detail
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/v1/messages/SM%00", "sid"),
        (.get, "/v1/conversations/messages/IM%00", "sid"),
        (.post, "/v1/sinks/recording%00/replay", "name"),
        (.get, "/v1/messages?to=%2B1555%00", "to"),
        (.get, "/v1/messages?channel=sms%00", "channel"),
        (.get, "/v1/messages?status=delivered,%00", "status"),
        (.get, "/v1/messages?cursor=%00", "cursor"),
        (.get, "/v1/events?to=%00", "to"),
        (.get, "/v1/events?status=%00", "status"),
        (.get, "/v1/stats?channel=%00", "channel"),
        (.get, "/v1/stats/series?channel=%00", "channel"),
    ])
    func isA400NamingTheParameter(method: HTTPRequest.Method, uri: String, field: String) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(
                uri: uri, method: method, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"from": 1}"#))
            #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(body.error.code == "invalid_parameter")
            #expect(body.error.field == field)
        }
    }

    /// Percent-encoded characters other than NUL still decode as before.
    @Test func otherEncodedCharactersStillDecode() async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/messages/SM%41%20x", method: .get)
            #expect(response.status == .notFound)
            #expect(String(buffer: response.body).contains("No callback for SMA x"))
            let list = try await client.execute(uri: "/v1/messages?to=%2B15558675310&channel=SMS", method: .get)
            #expect(list.status == .ok)
        }
    }
}
