import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TidingsCore
@testable import TidingsServer
import Yams

/// `Sources/TidingsServer/Resources/openapi.yaml` against the router: every route Tidings
/// registers is in the document, and every operation of the document is a route. (The
/// schemas are held to the real answers by `.ci/contract-tests.sh`, with schemathesis.)
@Suite struct OpenAPIDocumentTests {
    /// One operation: a method and a path in OpenAPI's spelling, `GET /v1/messages/{sid}`.
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        let method: String
        let path: String

        var description: String { "\(method) \(path)" }

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.path, lhs.method) < (rhs.path, rhs.method)
        }
    }

    /// The methods an OpenAPI path item can hold.
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `path` in OpenAPI's spelling: Hummingbird's `:sid` is `{sid}`, and its recursive
    /// wildcard `**` (the console's `/console/**`) is the parameter `{path}`.
    static func normalised(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { segment -> String in
            if segment == "**" { return "{path}" }
            if segment.hasPrefix(":") { return "{\(segment.dropFirst())}" }
            return String(segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    /// The document as compiled into the binary, parsed.
    static func document() throws -> [String: Any] {
        let text = String(decoding: OpenAPIController.document, as: UTF8.self)
        return try #require(try Yams.load(yaml: text) as? [String: Any], "openapi.yaml is not a YAML mapping")
    }

    /// Every operation the document describes.
    static func documentedOperations() throws -> Set<Operation> {
        let paths = try #require(try document()["paths"] as? [String: Any], "openapi.yaml has no paths")
        var operations: Set<Operation> = []
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "the path item \(path) is not a mapping")
            for method in methods where item[method] != nil {
                operations.insert(Operation(method: method.uppercased(), path: normalised(path)))
            }
        }
        return operations
    }

    /// Every route the application registers, on the default paths, with reconciliation
    /// configured (the auth token gives it credentials) as `tidings serve` has it.
    static func routedOperations() -> Set<Operation> {
        var configuration = TidingsConfiguration()
        configuration.authTokens = [TestServer.authToken]
        configuration.apiToken = "api-token"
        let parts = ApplicationParts(
            configuration: configuration, store: InMemoryStatusStore(), sinks: [], deliveryPolicy: DeliveryPolicy(),
            instance: "openapi-test", logger: Logger(label: "test"))
        return Set(parts.router.routes.map {
            Operation(method: $0.method.rawValue, path: normalised($0.path.description))
        })
    }

    @Test func normalisesHummingbirdPaths() {
        #expect(Self.normalised("/v1/messages/:sid") == "/v1/messages/{sid}")
        #expect(Self.normalised("/v1/sinks/{name}/replay") == "/v1/sinks/{name}/replay")
        #expect(Self.normalised("/console/**") == "/console/{path}")
        #expect(Self.normalised("/") == "/")
        #expect(Self.normalised("healthz") == "/healthz")
    }

    @Test func everyRouteIsDocumented() throws {
        let routes = Self.routedOperations()
        #expect(routes.count > 20, "the router lists too few routes: \(routes.sorted())")
        let undocumented = routes.subtracting(try Self.documentedOperations()).sorted()
        #expect(
            undocumented.isEmpty,
            "routes the router has that openapi.yaml does not describe: \(undocumented.map(\.description).joined(separator: ", "))")
    }

    @Test func everyDocumentedOperationIsARoute() throws {
        let phantoms = try Self.documentedOperations().subtracting(Self.routedOperations()).sorted()
        #expect(
            phantoms.isEmpty,
            "operations openapi.yaml describes that the router does not have: \(phantoms.map(\.description).joined(separator: ", "))")
    }

    /// Every `$ref` names something the document has (a broken one would only show when a
    /// tool resolves it).
    @Test func everyReferenceResolves() throws {
        let document = try Self.document()
        var references: [String] = []
        func collect(_ value: Any) {
            if let mapping = value as? [String: Any] {
                if let reference = mapping["$ref"] as? String { references.append(reference) }
                mapping.values.forEach(collect)
            } else if let sequence = value as? [Any] {
                sequence.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in Set(references).sorted() {
            #expect(reference.hasPrefix("#/"), "\(reference) is not a reference inside the document")
            var node: Any? = document
            for key in reference.dropFirst(2).split(separator: "/") {
                node = (node as? [String: Any])?[String(key)]
            }
            #expect(node != nil, "\(reference) names nothing in openapi.yaml")
        }
    }

    @Test func documentIsOpenAPI31WithTheBearerSchemeOnV1() throws {
        let document = try Self.document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1.") == true)
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        let bearer = schemes?["bearer"] as? [String: Any]
        #expect(bearer?["type"] as? String == "http")
        #expect(bearer?["scheme"] as? String == "bearer")
        let paths = try #require(document["paths"] as? [String: Any])
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any]) where Self.methods.contains(method) {
                let security = (operation as? [String: Any])?["security"] as? [[String: Any]]
                let needsToken = security?.contains { $0["bearer"] != nil } ?? false
                #expect(
                    needsToken == path.hasPrefix("/v1/"),
                    "\(method.uppercased()) \(path) \(needsToken ? "asks for" : "lacks") the bearer token")
            }
        }
    }

    @Test func servesTheDocumentAsYAML() async throws {
        var server = TestServer()
        server.configuration.apiToken = "api-token"
        try await server.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/openapi.yaml", method: .get, headers: [.authorization: "Bearer api-token"])
            #expect(response.status == .ok)
            let contentType = try #require(response.headers[.contentType])
            #expect(contentType.hasPrefix("application/yaml"), "served as \(contentType)")
            #expect(Array(buffer: response.body) == OpenAPIController.document)
            let served = try #require(try Yams.load(yaml: String(buffer: response.body)) as? [String: Any])
            #expect((served["openapi"] as? String)?.hasPrefix("3.1.") == true)

            // Like all of /v1, it needs the token.
            let anonymous = try await client.execute(uri: "/v1/openapi.yaml", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }
}
