import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/conversations/messages/{IM…}`: how a Conversations message fares with each of
/// its participants (``TidingsCore/ConversationMessageDelivery``), from the delivery
/// receipts stored; `404` when none was.
struct ConversationMessagesController: Sendable {
    let store: any MessageQuerying
    let logger: Logger

    /// The most participants' messages one answer gathers.
    static let maximumReceipts = 1000

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("conversations/messages/:sid") { _, context in
            let sid = try context.parameters.percentDecoded("sid")
            let records = try await storeCall(logger: logger) {
                try await store.channelMessages(ofConversationMessage: sid, limit: Self.maximumReceipts)
            }
            guard let delivery = ConversationMessageDelivery(conversationMessageSid: sid, channelMessages: records) else {
                throw APIError(
                    .notFound, code: "not_found",
                    message: "No delivery receipt for the Conversations message \(sid) is stored. Receipts come from the Conversations webhook (onDeliveryUpdated); see the README.")
            }
            return try JSONResponse.make(delivery)
        }
        .refuseMethods(on: "conversations/messages/:sid", except: [.get])
    }
}
