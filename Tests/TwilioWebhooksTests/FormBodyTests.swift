import Testing
import TwilioWebhooks

@Suite("FormBody")
struct FormBodyTests {
    // MARK: Vectors from Python's parse_qsl

    @Test("decodes as Python's parse_qsl does", arguments: try SignatureVectors.load().formBodies)
    func decodesLikePython(_ vector: SignatureVectors.FormBodyCase) throws {
        let body = try FormBody(parsing: Array(vector.raw.utf8))
        #expect(body == (try FormBody(pairs: vector.parameters)))
    }

    @Test("encoded() round-trips", arguments: try SignatureVectors.load().formBodies)
    func roundTrips(_ vector: SignatureVectors.FormBodyCase) throws {
        let body = try FormBody(parsing: Array(vector.raw.utf8))
        #expect(try FormBody(parsing: Array(body.encoded().utf8)) == body)
    }

    // MARK: Order, repeats, lookup

    @Test("order and repeats are kept")
    func orderAndRepeats() throws {
        let body = try FormBody(parsing: Array("b=2&a=1&b=3&b=2".utf8))
        #expect(body.parameters.map(\.name) == ["b", "a", "b", "b"])
        #expect(body.map(\.value) == ["2", "1", "3", "2"])
        #expect(body["b"] == "2")
        #expect(body.parameters.filter { $0.name == "b" }.map(\.value) == ["2", "3", "2"])
        #expect(body["c"] == nil)
        #expect(!body.isEmpty)
    }

    @Test("names are matched byte for byte, not by canonical equivalence")
    func exactNames() {
        let body = FormBody([.init(name: "e\u{301}", value: "decomposed"), .init(name: "\u{E9}", value: "precomposed")])
        #expect(body["\u{E9}"] == "precomposed")
        #expect(body["e\u{301}"] == "decomposed")
    }

    @Test("an empty body has no parameters", arguments: ["", "&", "&&&"])
    func emptyBody(raw: String) throws {
        #expect(try FormBody(parsing: Array(raw.utf8)).isEmpty)
    }

    // MARK: Strict decoding

    @Test("a bad value names its parameter", arguments: [
        ("a=1&Body=%zz", 2, "Body", FormBody.DecodingError.Problem.malformedPercentEscape),
        ("Body=100%", 1, "Body", .malformedPercentEscape),
        ("&&Body=%4", 1, "Body", .malformedPercentEscape),
        ("x=1&Body=%C3", 2, "Body", .invalidUTF8),
        ("Body=%FF%FE&x=1", 1, "Body", .invalidUTF8),
    ])
    func badValue(raw: String, position: Int, name: String, problem: FormBody.DecodingError.Problem) {
        #expect {
            try FormBody(parsing: Array(raw.utf8))
        } throws: { error in
            guard let error = error as? FormBody.DecodingError else { return false }
            return error.position == position && error.name == name && error.component == .value
                && error.problem == problem && error.description.contains("\"\(name)\"")
                && error.description.contains("#\(position)")
        }
    }

    @Test("a bad name is named by position and raw text", arguments: [
        ("a=1&B%zzody=x", 2, "B%zzody", FormBody.DecodingError.Problem.malformedPercentEscape),
        ("%E9=x", 1, "%E9", .invalidUTF8),
        ("x=1&y=2&flag%", 3, "flag%", .malformedPercentEscape),
    ])
    func badName(raw: String, position: Int, rawName: String, problem: FormBody.DecodingError.Problem) {
        #expect {
            try FormBody(parsing: Array(raw.utf8))
        } throws: { error in
            guard let error = error as? FormBody.DecodingError else { return false }
            return error.position == position && error.name == nil && error.rawName == rawName
                && error.component == .name && error.problem == problem
                && error.description.contains(rawName) && error.description.contains("#\(position)")
        }
    }

    @Test("an error never quotes the value")
    func errorHidesValue() {
        #expect {
            try FormBody(parsing: Array("Body=my+secret+code+%zz".utf8))
        } throws: { error in
            "\(error)".contains("Body") && !"\(error)".contains("secret")
        }
    }

    // MARK: Encoding

    @Test("encoded() escapes everything but unreserved characters")
    func encodedEscapes() {
        let body = FormBody([
            .init(name: "a b", value: "x&y=z+~-._"),
            .init(name: "To", value: "+15558675310"),
            .init(name: "\u{E9}", value: ""),
        ])
        #expect(body.encoded() == "a%20b=x%26y%3Dz%2B~-._&To=%2B15558675310&%C3%A9=")
    }

    @Test("encoded() round-trips unusual parameters")
    func encodedRoundTrip() throws {
        let body = FormBody([
            .init(name: "", value: ""),
            .init(name: "e\u{301}", value: "\u{1F600} 100% & more"),
            .init(name: "Body", value: "line\nbreak"),
            .init(name: "Body", value: "line\nbreak"),
        ])
        #expect(try FormBody(parsing: Array(body.encoded().utf8)) == body)
        #expect(FormBody([]).encoded().isEmpty)
    }
}
