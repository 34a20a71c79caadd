import Testing
import TidingsCore
import TidingsServer

/// `--sink` values the fuzzer found mishandled by the parser (the regression seeds in
/// fuzz/corpus/FuzzSinkSpecification/known-bug-*).
@Suite("--sink parsing: what the fuzzer found")
struct SinkSpecificationTests {
    @Test func emptyOptionPartsAreSkipped() throws {
        let specification = try SinkSpecification(parsing: "file=/x; ;keep=3; ")
        #expect(specification.target == "/x")
        #expect(specification.options == ["keep": "3"])
    }

    @Test("an option with no name is a clear error", arguments: ["file=/x;=", "file=/x;=3", "file=/x; =y"])
    func anOptionWithNoNameIsRefused(value: String) {
        #expect(throws: ConfigurationError.self) { try SinkSpecification(parsing: value) }
    }

    @Test func aNameTidingsKeepsForItsOwnLeasesIsRefused() {
        #expect { try SinkSpecification(parsing: "webhook=https://a.example/h;name=Tidings:reconcile") } throws: { error in
            "\(error)".contains("tidings: are Tidings' own")
        }
    }

    /// `;` followed by a combining mark is one `Character` that is not `;`: a parser that
    /// splits characters read `zeta;\u{031A}mark` as one option, so the same options in
    /// another order parsed differently (known-bug-separator-before-combining-mark).
    @Test("a separator followed by a combining mark still separates", arguments: [
        "file=/x;zeta;\u{031A}mark", "file=/x;\u{031A}mark;zeta", "file=/x;zeta; \u{031A}mark",
    ])
    func aSeparatorBeforeACombiningMarkSeparates(value: String) throws {
        let specification = try SinkSpecification(parsing: value)
        #expect(specification.options == ["zeta": "", "\u{031A}mark": ""])
    }

    @Test func equalsAndBarBeforeACombiningMarkSeparate() throws {
        let specification = try SinkSpecification(parsing: "file=\u{031A}/x;keep=\u{031A}3;statuses=failed|\u{031A}x")
        #expect(specification.kind == "file")
        #expect(specification.target == "\u{031A}/x")
        #expect(specification.options == ["keep": "\u{031A}3"])
        #expect(specification.filter.statuses == ["failed", "\u{031A}x"])
    }
}
