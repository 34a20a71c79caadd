import Hummingbird

/// Answers a request that matched no route with Tidings' JSON error (`404 not_found`)
/// instead of the router's empty body.
///
/// Added to the router before any route, so that it also wraps the router's "not found"
/// responder.
struct UnmatchedRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            throw APIError(
                .notFound, code: "not_found",
                message: "Nothing is served at this path. The API is under /v1 (messages, stats, events, sinks); Twilio posts to the callback path.")
        }
    }
}
