import Foundation
import Logging
import Synchronization

/// A sink name that no configured sink has.
public struct UnknownSinkError: Error, CustomStringConvertible {
    public let name: String
    public let known: [String]

    public init(name: String, known: [String]) {
        self.name = name
        self.known = known
    }

    public var description: String {
        "no sink is named \(name); the configured sinks are \(known.joined(separator: ", "))"
    }
}
