import HTTPTypes
import Hummingbird
import TwilioWebhooks

/// Guards the `/v1` API — it shows phone numbers — with a bearer token:
/// `Authorization: Bearer <token>`, compared in constant time. Without a configured
/// token it lets everything through (``TidingsConfiguration/checkAPIExposure()`` keeps
/// such a server on loopback).
///
/// It is added to the router group that holds the `/v1` routes, so it guards whatever
/// the router matched there, however the path was spelled (`//v1/messages/…`,
/// `/v1/messages/` and any other spelling the router resolves to a `/v1` route).
/// Never check the path's text instead: the router's idea of a match is the one that counts.
struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token else { return try await next(request, context) }
        let presented = request.headers[.authorization].flatMap { header -> Substring? in
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1]
        }
        guard let presented else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: "The /v1 API needs Authorization: Bearer <api token> (tidings commands read TIDINGS_API_TOKEN).",
                headers: [.wwwAuthenticate: #"Bearer realm="tidings""#])
        }
        guard constantTimeEquals(presented, token) else {
            throw APIError(
                .unauthorized, code: "unauthorized", message: "The API token is not the one this server was given.",
                headers: [.wwwAuthenticate: #"Bearer realm="tidings", error="invalid_token""#])
        }
        return try await next(request, context)
    }
}
