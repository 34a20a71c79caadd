import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TwilioWebhooks

/// Asks Twilio's Messages API about one message:
/// `GET {base}/2010-04-01/Accounts/{AC…}/Messages/{SM…}.json`.
struct TwilioMessagesClient: Sendable {
    /// What the API answered.
    enum Answer: Sendable, Equatable {
        /// `200`: the message as Twilio knows it.
        case message(MessageResource)
        /// `404`: Twilio does not know the SID.
        case notFound
        /// `401` or `403`: the credentials are refused; no later request will pass.
        case refused(status: UInt)
        /// `429` or `5xx`: try again later, after `retryAfter` when Twilio said.
        case busy(status: UInt, retryAfter: Duration?)
        /// Anything else: a network failure, another status, an answer that is no message.
        case failed(String)
    }

    /// `https://api.twilio.com`, or a stand-in (tests, a proxy).
    let baseURL: String
    let credentials: TwilioAPICredentials
    let client: HTTPClient
    var timeout: Duration = .seconds(10)

    func fetch(sid: String, accountSid: String) async -> Answer {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var request = HTTPClientRequest(url: "\(base)/2010-04-01/Accounts/\(accountSid)/Messages/\(sid).json")
        let (user, password) = credentials.basicAuth(for: accountSid)
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            let body = try await response.body.collect(upTo: 1 << 20)
            switch response.status.code {
            case 200:
                do {
                    return .message(try MessageResource(json: Array(body.readableBytesView)))
                } catch {
                    return .failed("the answer is no message: \(error)")
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
