import HTTPTypes
import Hummingbird
import NIOCore

/// The on-call console: its HTML page at `/` and `/console/…` (every page of the console
/// is the same document; the script draws the one the URL names), its stylesheet and
/// script, all compiled into the binary (``PackageResources``).
///
/// The files carry no data: the script asks the `/v1` API, which the API token guards, so
/// the console shows nothing to whoever lacks the token. Every answer forbids inline
/// script and style, framing, other origins (Content-Security-Policy, `X-Frame-Options`)
/// and MIME sniffing, and requires Trusted Types, so that no string can reach an HTML sink
/// such as `innerHTML` even by mistake.
struct ConsoleController: Sendable {
    /// The Content-Security-Policy of every console file.
    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ].joined(separator: "; ")

    /// The headers every console file is served with.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("Cross-Origin-Opener-Policy")!: "same-origin",
        HTTPField.Name("Cross-Origin-Resource-Policy")!: "same-origin",
        .cacheControl: "no-cache",
    ]

    /// The console's files besides the page, by their path under `/console/`.
    static let assets: [(name: String, type: String, bytes: [UInt8])] = [
        ("console.css", "text/css; charset=utf-8", PackageResources.console_css),
        ("console.js", "text/javascript; charset=utf-8", PackageResources.console_js),
    ]

    /// Adds the console's routes to `router`.
    func addRoutes(to router: some RouterMethods) {
        let page = Self.response(PackageResources.console_html, type: "text/html; charset=utf-8")
        router.get("/") { _, _ in page }
        router.get("/console") { _, _ in page }
        for asset in Self.assets {
            let response = Self.response(asset.bytes, type: asset.type)
            router.get("/console/\(asset.name)") { _, _ in response }
        }
        // Client-side routes (/console/message/SM…, /console/live, …) and any other path
        // under /console get the page, which says when it has no such view.
        router.get("/console/**") { _, _ in page }
    }

    private static func response(_ bytes: [UInt8], type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
