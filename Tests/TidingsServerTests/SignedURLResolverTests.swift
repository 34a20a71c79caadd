import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

@Suite("Which URL the signature is checked against")
struct SignedURLResolverTests {
    let form = CallbackFixtures.parameters(sid: CallbackFixtures.sid(3), status: "sent")

    @Test func thePublicURLWithItsPathPrefixReplacesTheRequestsOrigin() async throws {
        var server = TestServer()
        server.configuration.publicURL = "https://hooks.example.com/tidings/"
        try await server.application().test(.router) { client in
            let url = "https://hooks.example.com/tidings/twilio/status?team=ops"
            try await TestServer.post(form, with: client, path: "/twilio/status?team=ops", url: url, expecting: .noContent)
            try await TestServer.post(form, with: client, path: "/twilio/status?team=ops", expecting: .forbidden)
        }
    }

    @Test func forwardedHeadersAreIgnoredUnlessTrusted() async throws {
        let forwarded: HTTPFields = [
            HTTPField.Name("X-Forwarded-Proto")!: "https", HTTPField.Name("X-Forwarded-Host")!: "public.example.org",
        ]
        let publicURL = "https://public.example.org/twilio/status"
        try await TestServer().application().test(.router) { client in
            try await TestServer.post(form, with: client, url: publicURL, extraHeaders: forwarded, expecting: .forbidden)
        }
        var trusting = TestServer()
        trusting.configuration.trustProxy = true
        try await trusting.application().test(.router) { client in
            try await TestServer.post(form, with: client, url: publicURL, extraHeaders: forwarded, expecting: .noContent)
        }
    }

    @Test func aConfiguredCallbackPathIsTheRoute() async throws {
        var server = TestServer()
        server.configuration.callbackPath = "/hooks/twilio"
        try await server.application().test(.router) { client in
            try await TestServer.post(form, with: client, path: "/hooks/twilio", url: "http://localhost/hooks/twilio", expecting: .noContent)
        }
    }

    @Test func overRealHTTPTheHostHeaderGivesTheURL() async throws {
        var server = TestServer()
        server.configuration.port = 0
        try await server.application().test(.live) { client in
            // HummingbirdTesting's client sends `Host: localhost`, whatever the port.
            try await TestServer.post(form, with: client, url: "http://localhost/twilio/status", expecting: .noContent)
            let port = try #require(client.port)
            try await TestServer.post(form, with: client, url: "http://127.0.0.1:\(port)/twilio/status", expecting: .forbidden)
        }
    }
}
