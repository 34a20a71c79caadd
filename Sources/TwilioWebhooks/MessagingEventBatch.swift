import Foundation

/// The body of one Event Streams webhook delivery: a JSON array of CloudEvents (a single
/// event object is read as a batch of one), each read as a ``MessagingEvent`` or kept as
/// ``Unreadable`` with its reason.
public enum MessagingEventBatch {
    /// One element of a batch.
    public enum Item: Sendable, Equatable {
        case event(MessagingEvent)
        case unreadable(Unreadable)
    }

    /// An element that is not a message event Tidings reads: an unknown type, no SID, not
    /// an object. Kept verbatim with the reason, never dropped in silence.
    public struct Unreadable: Error, Sendable, Equatable {
        /// Why, in words for people.
        public let reason: String
        /// Its CloudEvent `id`, when it has one.
        public let id: String?
        /// The element as JSON text (keys sorted).
        public internal(set) var json: String = ""

        init(reason: String, id: String? = nil) {
            self.reason = reason
            self.id = id
        }
    }

    /// Why a body is no batch at all.
    public struct MalformedBody: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads a body: each element of the array, in order.
    ///
    /// - Throws: ``MalformedBody`` when the body is not JSON, or neither an array nor an object.
    public static func items(of body: [UInt8]) throws(MalformedBody) -> [Item] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw MalformedBody(description: "the body is not JSON")
        }
        let elements: [Any]
        switch root {
        case let array as [Any]: elements = array
        case let object as [String: Any]: elements = [object]
        default: throw MalformedBody(description: "the body is neither a JSON array of events nor one event")
        }
        return elements.map { element in
            guard let object = element as? [String: Any] else {
                var unreadable = Unreadable(reason: "the element is not a JSON object")
                unreadable.json = jsonText(element)
                return .unreadable(unreadable)
            }
            do throws(Unreadable) {
                return .event(try MessagingEvent(object: object))
            } catch {
                var unreadable = error
                unreadable.json = jsonText(object)
                return .unreadable(unreadable)
            }
        }
    }

    private static func jsonText(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}
