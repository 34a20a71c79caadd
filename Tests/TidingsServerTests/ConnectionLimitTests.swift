import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsServer
import TidingsTestSupport

/// Slow, idle and too many connections against the real listener.
@Suite("Timeouts and the connection cap")
struct ConnectionLimitTests {
    func live(_ configure: (inout TestServer) -> Void, _ body: @escaping @Sendable (Int, any TestClientProtocol) async throws -> Void) async throws {
        var server = TestServer()
        server.configuration.port = 0
        configure(&server)
        try await server.application().test(.live) { client in
            try await body(try #require(client.port), client)
        }
    }

    @Test func slowHeadersSlowBodiesAndIdleConnectionsAreClosed() async throws {
        try await live({
            $0.configuration.headerTimeout = 0.5
            $0.configuration.bodyTimeout = 0.5
            $0.configuration.idleTimeout = 0.5
        }) { port, _ in
            let slowHeaders = try RawConnection(port: port)
            try slowHeaders.send("POST /twilio/status HTTP/1.1\r\nHost: localhost\r\nX-Slow")
            let slowBody = try RawConnection(port: port)
            try slowBody.send("POST /twilio/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nMessageSid=")
            let silent = try RawConnection(port: port)
            let idle = try RawConnection(port: port)
            try idle.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")

            let header = await slowHeaders.receive(timeout: .seconds(10))
            #expect(header.closed && header.text.hasPrefix("HTTP/1.1 408"), "\(header)")
            let body = await slowBody.receive(timeout: .seconds(10))
            #expect(body.closed, "a body that stops coming is cut off: \(body)")
            #expect(await silent.receive(timeout: .seconds(10)).closed, "a connection that never sends is closed")
            let kept = await idle.receive(timeout: .seconds(10))
            #expect(kept.text.hasPrefix("HTTP/1.1 200") && kept.closed, "answered, then closed when idle: \(kept)")
        }
    }

    @Test func pastTheCapTheIdlestConnectionsMakeRoomForCallbacks() async throws {
        try await live({ $0.configuration.maximumConnections = 20 }) { port, client in
            // The test client's connection opened first; once answered it has proved itself.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            // Twice the cap: idle sockets, and slow clients stuck in their headers.
            var hogs: [RawConnection] = []
            for index in 0..<40 {
                let hog = try RawConnection(port: port)
                if index.isMultiple(of: 2) { try hog.send("GET /healthz HTTP/1.1\r\nHost: loc") }
                hogs.append(hog)
            }
            // A newcomer gets in, and the client that proved itself was kept.
            let newcomer = try RawConnection(port: port)
            try newcomer.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let answer = await newcomer.receive(until: "\r\n\r\n", timeout: .seconds(10))
            #expect(answer.text.hasPrefix("HTTP/1.1 200"), "\(answer)")
            try await TestServer.post(
                CallbackFixtures.parameters(sid: CallbackFixtures.sid(9), status: "sent"), with: client, expecting: .noContent)
            var closed = 0
            for hog in hogs where await hog.receive(timeout: .milliseconds(200)).closed { closed += 1 }
            #expect(closed >= 20, "the oldest idle connections were closed to make room: \(closed) of 40")
        }
    }
}
