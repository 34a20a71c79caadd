import Hummingbird
import NIOCore

/// `GET /v1/openapi.yaml`: the OpenAPI 3.1 document of every route Tidings serves
/// (`Sources/TidingsServer/Resources/openapi.yaml`, compiled into the binary).
struct OpenAPIController: Sendable {
    /// The document, as compiled in.
    static var document: [UInt8] { PackageResources.openapi_yaml }

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
        .refuseMethods(on: "openapi.yaml", except: [.get])
    }
}
