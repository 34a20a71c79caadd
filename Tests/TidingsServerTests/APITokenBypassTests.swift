import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsServer
import TidingsTestSupport

/// The `/v1` token guards what the router matched, not the spelling of the path: none of
/// the ways of writing a `/v1` path gets a record, a list, a stream or a replay without it.
@Suite("The API token cannot be bypassed by spelling the path differently")
struct APITokenBypassTests {
    static let apiToken = "api-token-for-the-bypass-tests"
    static let sid = CallbackFixtures.sid(4242)
    static let phone = "+15550004242"

    /// Every /v1 route: method and path.
    static let routes: [(HTTPRequest.Method, String)] = [
        (.get, "/v1/messages/\(sid)"), (.get, "/v1/messages"), (.get, "/v1/stats"), (.get, "/v1/stats/series"),
        (.get, "/v1/events"),
        (.get, "/v1/sinks"), (.post, "/v1/sinks/recording/replay"),
    ]

    /// Ways to spell a path that routers and proxies are known to disagree on.
    static func variants(of path: String) -> [String] {
        let rest = path.dropFirst("/v1".count)
        return [
            "/" + path, "//v1/" + rest.dropFirst(), "/./v1" + rest, "/x/../v1" + rest, "/v1%2F" + rest.dropFirst(),
            "%2Fv1" + rest, path + "/", path + "//", "/V1" + rest, "/v1" + rest.uppercased(), path + "?x=/v1",
            path.replacingOccurrences(of: "/", with: "%2F"),
        ]
    }

    @Test("no variant of a /v1 route answers without the token", arguments: routes.indices)
    func noVariantAnswersWithoutTheToken(route: Int) async throws {
        let (method, path) = Self.routes[route]
        var server = TestServer()
        server.configuration.apiToken = Self.apiToken
        try await server.application().test(.router) { client in
            try await TestServer.post(
                CallbackFixtures.parameters(sid: Self.sid, status: "sent", to: Self.phone), with: client, expecting: .noContent)
            // With the token the route answers (so a refusal below is the guard's doing);
            // the endless event stream is left out of that check.
            if path != "/v1/events" {
                let authorized = try await client.execute(
                    uri: path, method: method, headers: [.authorization: "Bearer \(Self.apiToken)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"from":1}"#)) { $0.status }
                #expect(authorized == .ok, "\(method) \(path) with the token")
            }

            for variant in Self.variants(of: path) {
                let response = try await client.execute(
                    uri: variant, method: method, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"from":1}"#))
                let body = String(buffer: response.body)
                #expect([.unauthorized, .notFound, .methodNotAllowed].contains(response.status), "\(method) \(variant): \(response.status) \(body)")
                #expect(!body.contains(Self.phone) && !body.contains(Self.sid), "\(method) \(variant) leaked the record: \(body)")
                if response.status == .unauthorized {
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(variant)")
                }
            }
        }
    }

    @Test func aWrongTokenIsRefusedWithWhatToDo() async throws {
        var server = TestServer()
        server.configuration.apiToken = Self.apiToken
        try await server.application().test(.router) { client in
            let response = try await client.execute(uri: "//v1/messages", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="tidings", error="invalid_token""#)
            #expect(String(buffer: response.body).contains("not the one this server was given"))
        }
    }
}
