import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TwilioWebhooks

/// Asks Twilio's Messages API about one message
/// (`GET {base}/2010-04-01/Accounts/{AC…}/Messages/{SM…}.json`) or lists an account's
/// messages sent since a time (`…/Messages.json?DateSent>=…&PageSize=1000`, page by page).
struct TwilioMessagesClient: Sendable {
    /// What the API answered.
    enum Answer<Value: Sendable & Equatable>: Sendable, Equatable {
        /// `200`: the message, or the page, as Twilio knows it.
        case found(Value)
        /// `404`: Twilio does not know the SID.
        case notFound
        /// `401` or `403`: the credentials are refused; no later request will pass.
        case refused(status: UInt)
        /// `429` or `5xx`: try again later, after `retryAfter` when Twilio said.
        case busy(status: UInt, retryAfter: Duration?)
        /// Anything else: a network failure, another status, an answer that cannot be read.
        case failed(String)
    }

    /// `https://api.twilio.com`, or a stand-in (tests, a proxy).
    let baseURL: String
    let credentials: TwilioAPICredentials
    let client: HTTPClient
    var timeout: Duration = .seconds(10)
    /// How many messages a page of the list asks for: the API's most.
    static let pageSize = 1000

    /// One message of `accountSid`.
    func fetch(sid: String, accountSid: String) async -> Answer<MessageResource> {
        await get("/2010-04-01/Accounts/\(accountSid)/Messages/\(sid).json", accountSid: accountSid) { body throws(MessageResource.Unreadable) in
            try MessageResource(json: body)
        }
    }

    /// The path of the first page of the messages `accountSid` sent at `since` or later.
    static func firstPage(accountSid: String, sentSince since: Date) -> String {
        // As Twilio's SDKs send it: 2026-12-02T19:00:00Z.
        let time = since.formatted(.iso8601)
        let value = time.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? time
        return "/2010-04-01/Accounts/\(accountSid)/Messages.json?DateSent%3E=\(value)&PageSize=\(pageSize)"
    }

    /// The page at `path`: ``firstPage(accountSid:sentSince:)``, then each page's
    /// ``TwilioWebhooks/MessageResourcePage/nextPageURI``.
    func page(at path: String, accountSid: String) async -> Answer<MessageResourcePage> {
        await get(path, accountSid: accountSid) { body throws(MessageResource.Unreadable) in
            try MessageResourcePage(json: body)
        }
    }

    private func get<Value>(
        _ path: String, accountSid: String, read: (_ body: [UInt8]) throws(MessageResource.Unreadable) -> Value
    ) async -> Answer<Value> {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var request = HTTPClientRequest(url: base + path)
        let (user, password) = credentials.basicAuth(for: accountSid)
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            // A page of 1,000 messages is about 1 MB.
            let body = try await response.body.collect(upTo: 16 << 20)
            switch response.status.code {
            case 200:
                do {
                    return .found(try read(Array(body.readableBytesView)))
                } catch {
                    return .failed("the answer cannot be read: \(error)")
                }
            case 404: return .notFound
            case 401, 403: return .refused(status: response.status.code)
            case 429, 500...599:
                let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) }.map { Duration.seconds($0) }
                return .busy(status: response.status.code, retryAfter: retryAfter)
            default: return .failed("Twilio answered \(response.status.code)")
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
