import Hummingbird

extension RouterMethods<TidingsRequestContext> {
    /// `POST` on `path` for a route Twilio posts to (status callbacks, Event Streams,
    /// Conversations): `handle` gets the request and the client's address; a refusal it
    /// throws is logged and `count`ed by ``RefusalLog/answering(from:count:_:)`` before it
    /// becomes the answer. Every other method on `path` is a `405`.
    func postWebhook(
        _ path: String, addresses: SignedURLResolver, refusals: RefusalLog,
        count: @escaping @Sendable (CallbackOutcome) -> Void,
        handle: @escaping @Sendable (Request, _ address: String) async throws -> Response
    ) {
        post(RouterPath(path)) { request, context in
            let address = addresses.clientAddress(of: request, remoteAddress: context.remoteAddress)
            return try await refusals.answering(from: address, count: count) { try await handle(request, address) }
        }
        refuseMethods(on: RouterPath(path), except: [.post])
    }
}
