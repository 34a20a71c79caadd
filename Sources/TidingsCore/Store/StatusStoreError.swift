/// Why a store could not do what was asked.
public struct StatusStoreError: Error, CustomStringConvertible {
    /// In words for the operator.
    public let description: String
    /// The backend's own error, if any.
    public let underlying: (any Error)?

    public init(_ description: String, underlying: (any Error)? = nil) {
        self.description = description
        self.underlying = underlying
    }
}
