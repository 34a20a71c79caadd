import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://` URL that cannot be used, in words that say why.
public struct PostgresStoreConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
