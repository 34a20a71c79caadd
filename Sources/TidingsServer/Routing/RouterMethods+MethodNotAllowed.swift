import HTTPTypes
import Hummingbird

extension RouterMethods {
    /// Answers every common method but `allowed` on `path` with `405 method_not_allowed`
    /// and an `Allow` header naming what the path takes.
    ///
    /// Call it after adding the path's real routes, on the same router or group (so the
    /// group's middleware, the API token among it, runs first).
    @discardableResult
    func refuseMethods(on path: RouterPath, except allowed: [HTTPRequest.Method]) -> Self {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        let common: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for method in common where !allowed.contains(method) {
            on(path, method: method) { _, _ -> Response in
                throw APIError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "This path takes \(allow) only.", headers: [.allow: allow])
            }
        }
        return self
    }
}
