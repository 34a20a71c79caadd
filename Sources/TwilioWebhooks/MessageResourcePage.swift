import Foundation

/// One page of the Messages API's list (`GET /2010-04-01/Accounts/{AC…}/Messages.json`):
/// its messages and where the next page is. Reconciliation's sweep reads these.
public struct MessageResourcePage: Sendable, Equatable {
    /// The messages of the page that could be read, newest sent first.
    public let messages: [MessageResource]
    /// Why each element that is no message could not be read.
    public let unreadable: [MessageResource.Unreadable]
    /// `next_page_uri`: the path (and query) of the next page, relative to the API's base
    /// URL; nil on the last page. A value that is not such a path is taken as none, so the
    /// list is never followed to another host.
    public let nextPageURI: String?

    /// Reads a list answer.
    public init(json: [UInt8]) throws(MessageResource.Unreadable) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any],
            let elements = object["messages"] as? [Any]
        else {
            throw MessageResource.Unreadable(description: "the answer is not a list of messages")
        }
        var messages: [MessageResource] = []
        var unreadable: [MessageResource.Unreadable] = []
        for element in elements {
            do throws(MessageResource.Unreadable) {
                guard let message = element as? [String: Any] else {
                    throw MessageResource.Unreadable(description: "an element of the list is not an object")
                }
                messages.append(try MessageResource(object: message))
            } catch {
                unreadable.append(error)
            }
        }
        self.messages = messages
        self.unreadable = unreadable
        let next = object["next_page_uri"] as? String
        nextPageURI = next.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil }
    }
}
