import HTTPTypes
import Hummingbird
import TwilioWebhooks

/// Guards the `/v1` API — it shows phone numbers — with a bearer token:
/// `Authorization: Bearer <token>`, compared in constant time. Without a configured
/// token it lets everything through (``TidingsConfiguration/checkAPIExposure()`` keeps
/// such a server on loopback).
struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token, request.uri.path == "/v1" || request.uri.path.hasPrefix("/v1/") else {
            return try await next(request, context)
        }
        let presented = request.headers[.authorization].flatMap { header -> Substring? in
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return parts[1]
        }
        guard let presented, constantTimeEquals(presented, token) else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                message: presented == nil
                    ? "The /v1 API needs Authorization: Bearer <api token> (tidings commands read TIDINGS_API_TOKEN)."
                    : "The API token is not the one this server was given.")
        }
        return try await next(request, context)
    }
}
