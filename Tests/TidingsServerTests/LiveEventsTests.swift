import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport

/// `GET /v1/events`: filters checked before the `200` and applied as the list applies
/// them; a `Last-Event-ID` from a store that was reset.
@Suite("Live events: validated filters, every filter applied, reset")
struct LiveEventsTests {
    /// Reads the stream until `count` status events arrived (bounded), returning the text.
    func read(_ port: Int, _ query: String, lastEventID: String? = nil, events count: Int) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events?\(query)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.components(separatedBy: "event: status").count - 1 >= count { break }
        }
        return text
    }

    func post(_ client: some TestClientProtocol, _ number: Int, _ status: String, to: String, errorCode: Int? = nil) async throws {
        try await TestServer.post(
            CallbackFixtures.parameters(sid: CallbackFixtures.sid(number), status: status, errorCode: errorCode, to: to),
            with: client, expecting: .noContent)
    }

    @Test("a bad filter is 400 before the stream starts", arguments: [
        "errorCode=abc", "since=yesterday", "until=never", "final=maybe", "conflict=2", "stale=x", "onlyErrors=perhaps",
    ])
    func aBadFilterIs400(query: String) async throws {
        try await TestServer().application().test(.router) { client in
            let response = try await client.execute(uri: "/v1/events?\(query)", method: .get)
            #expect(response.status == .badRequest, "\(query)")
            #expect(String(buffer: response.body).contains("invalid_parameter"))
        }
    }

    @Test func toErrorCodeAndTimeFiltersApply() async throws {
        var server = TestServer()
        server.configuration.port = 0
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            try await post(client, 1, "sent", to: "+15550000001")
            try await post(client, 2, "undelivered", to: "+15550000002", errorCode: 30003)
            try await post(client, 3, "undelivered", to: "+15550000001", errorCode: 30005)
            let toOne = try await read(port, "to=%2B15550000001", lastEventID: "0", events: 2)
            #expect(toOne.contains(CallbackFixtures.sid(1)) && toOne.contains(CallbackFixtures.sid(3)))
            #expect(!toOne.contains(CallbackFixtures.sid(2)), "to= applies: \(toOne)")
            let code = try await read(port, "errorCode=30005", lastEventID: "0", events: 1)
            #expect(code.contains(CallbackFixtures.sid(3)) && !code.contains(CallbackFixtures.sid(2)), "\(code)")
            let future = try await read(port, "since=2999-01-01T00:00:00Z&to=%2B15550000009", lastEventID: "0", events: 0)
            #expect(!future.contains("event: status"))
            // `since` lets through only what came at or after it: the stream, in seq order from
            // the start, shows the change after the boundary first, so none before it passed.
            let last = try #require(try await TestServer.message(CallbackFixtures.sid(3), with: client))
            let boundary = last.updatedAt.addingTimeInterval(0.001)
            try await eventually { Date() > boundary.addingTimeInterval(0.001) }
            try await post(client, 4, "sent", to: "+15550000004")
            let since = try await read(port, "since=\(JSONCoding.formatTimestamp(boundary))", lastEventID: "0", events: 1)
            #expect(since.contains(CallbackFixtures.sid(4)), "\(since)")
            for earlier in 1...3 {
                #expect(!since.contains(CallbackFixtures.sid(earlier)), "since= applies: \(since)")
            }
        }
    }

    @Test func aLastEventIDBeyondTheNewestChangeGetsResetThenEverythingKept() async throws {
        var server = TestServer()
        server.configuration.port = 0
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            try await post(client, 1, "sent", to: "+15550000001")
            try await post(client, 2, "sent", to: "+15550000002")
            let text = try await read(port, "", lastEventID: "9000", events: 2)
            #expect(text.hasPrefix("id: 0\nevent: reset\ndata: "), "\(text)")
            #expect(text.contains(#""lastEventID":9000"#) && text.contains(#""latestSeq":2"#))
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }
            #expect(ids == ["id: 0", "id: 1", "id: 2"], "from the oldest kept change: \(text)")
        }
    }
}
