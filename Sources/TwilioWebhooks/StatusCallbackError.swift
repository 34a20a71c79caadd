/// Why a request body is not a status callback.
public enum StatusCallbackError: Error, Hashable, CustomStringConvertible {
    /// A required parameter is absent or empty.
    case missingField(String)

    /// The parameter at fault.
    public var field: String {
        switch self {
        case .missingField(let name): name
        }
    }

    public var description: String {
        switch self {
        case .missingField(let name): "the required parameter \(name) is missing or empty"
        }
    }
}
