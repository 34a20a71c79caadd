import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TidingsServer

/// The console's files: what they are served as, the headers that keep a browser from
/// running anything but them, and what they may and may not contain. What the console
/// shows is tested in a real browser (`Tests/Browser/test_console.py`, `.ci/console-tests.sh`).
@Suite("The console is served with its security headers and references nothing elsewhere")
struct ConsoleTests {
    static let apiToken = "api-token-for-the-console-tests"

    /// Every path the console's one page answers at: the client-side routes, and any other
    /// path under /console (the page says it has no such view).
    static let pagePaths = [
        "/", "/console", "/console/", "/console/message/SM0123456789abcdef0123456789abcdef",
        "/console/message/IM0123456789abcdef0123456789abcdef", "/console/live", "/console/live?status=failed",
        "/console/overview?window=7d", "/console/sinks", "/console/no/such/page",
    ]

    static let assets: [(path: String, type: String)] = [
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/console.js", "text/javascript; charset=utf-8"),
    ]

    func server() -> TestServer {
        var server = TestServer()
        server.configuration.apiToken = Self.apiToken
        return server
    }

    func expectSecurityHeaders(_ response: TestResponse, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let policy = response.headers[.contentSecurityPolicy] ?? ""
        let directives = Dictionary(
            policy.split(separator: ";").map { directive -> (String, String) in
                let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { first, _ in first })
        #expect(directives["default-src"] == "'none'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(directives["script-src"] == "'self'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(directives["style-src"] == "'self'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(directives["connect-src"] == "'self'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(directives["frame-ancestors"] == "'none'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(directives["require-trusted-types-for"] == "'script'", "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "\(path): \(policy)", sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)", sourceLocation: sourceLocation)
        #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)", sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)", sourceLocation: sourceLocation)
    }

    @Test("every console path answers the page, with the security headers, even to a request without the API token")
    func pages() async throws {
        try await server().application().test(.router) { client in
            var bodies = Set<String>()
            for path in Self.pagePaths {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                expectSecurityHeaders(response, path)
                bodies.insert(String(buffer: response.body))
            }
            #expect(bodies.count == 1, "every console path answers the same document")
            #expect(bodies.first?.hasPrefix("<!doctype html>") == true)
            // The page carries no data: the API it reads still wants the token.
            #expect(try await client.execute(uri: "/v1/messages", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/stats", method: .get).status == .unauthorized)
        }
    }

    @Test("the stylesheet and the script answer with their content types and the security headers")
    func assets() async throws {
        try await server().application().test(.router) { client in
            for asset in Self.assets {
                let response = try await client.execute(uri: asset.path, method: .get)
                #expect(response.status == .ok, "\(asset.path)")
                #expect(response.headers[.contentType] == asset.type, "\(asset.path)")
                #expect(response.body.readableBytes > 100, "\(asset.path)")
                expectSecurityHeaders(response, asset.path)
            }
        }
    }

    func fetch(_ path: String) async throws -> String {
        try await server().application().test(.router) { client in
            String(buffer: try await client.execute(uri: path, method: .get).body)
        }
    }

    /// The values of every `name="…"` attribute in `html`.
    func attributeValues(_ name: String, in html: String) throws -> [String] {
        let pattern = try Regex(#"\s\#(name)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"#).ignoresCase()
        return html.matches(of: pattern).map { match in
            String(html[match.range]).split(separator: "=", maxSplits: 1)[1]
                .trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
    }

    @Test("the page references no other origin: every src and href is a path on this server, or a fragment")
    func noExternalOrigin() async throws {
        let html = try await fetch("/console")
        let references = try attributeValues("src", in: html) + attributeValues("href", in: html)
        #expect(references.count >= 7, "\(references)")
        for reference in references {
            let onThisServer = (reference.hasPrefix("/") && !reference.hasPrefix("//")) || reference.hasPrefix("#")
            #expect(onThisServer, "\(reference) is not a path on this server")
        }
        #expect(!html.lowercased().contains("http:") && !html.lowercased().contains("https:"))
        let css = try await fetch("/console/console.css")
        #expect(!css.contains("@import") && !css.contains("url("), "the stylesheet loads nothing")
    }

    @Test("the page has no inline script, style element, style attribute or event handler")
    func noInlineScriptOrStyle() async throws {
        let html = try await fetch("/console")
        let scripts = html.matches(of: try Regex(#"<script\b([^>]*)>(.*?)</script>"#).dotMatchesNewlines().ignoresCase())
        #expect(!scripts.isEmpty)
        for script in scripts {
            let tag = String(html[script.range])
            #expect(tag.range(of: #"\ssrc="/console/"#, options: .regularExpression) != nil, "a script without src: \(tag)")
            #expect(tag.range(of: #">\s*</script>"#, options: .regularExpression) != nil, "a script with a body: \(tag)")
        }
        #expect(html.range(of: #"\sstyle\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "a style= attribute")
        #expect(html.range(of: #"<style"#, options: .caseInsensitive) == nil, "a <style> element")
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "an inline event handler")
        #expect(!html.lowercased().contains("javascript:"))
    }

    @Test("the script writes no HTML from strings and evaluates no code")
    func scriptUsesNoHTMLSinks() async throws {
        let script = try await fetch("/console/console.js")
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute(\"style\"", ".style."] {
            #expect(!script.contains(sink), "console.js uses \(sink)")
        }
        // The token lives in sessionStorage only.
        #expect(script.contains("sessionStorage") && !script.contains("localStorage") && !script.contains("document.cookie"))
    }
}
