import Logging

/// A refused callback: the answer, and what the log says of it (more than the answer,
/// e.g. the URLs a signature was checked against; never a secret).
struct CallbackRefusal: Error {
    let error: APIError
    var logMessage: String?
    var logMetadata: Logger.Metadata = [:]
}
