import Testing
import TidingsCore
import TidingsServer

/// `--sink` values the fuzzer found trapping the parser (fuzz/corpus/FuzzSinkSpecification/known-bug-empty-option-*).
@Suite("--sink parsing of empty options")
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
}
