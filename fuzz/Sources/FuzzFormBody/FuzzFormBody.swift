import FuzzSupport
import TwilioWebhooks

/// `FormBody(parsing:)` on arbitrary bytes, checked against a reference decoder written
/// from its documentation, on both of its ways of reaching the bytes, and through
/// `encoded()` and back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let parsed = Result { () throws(FormBody.DecodingError) in try FormBody(parsing: bytes) }

    // The same bytes through a collection without contiguous storage: the other code path.
    let viaCopy = Result { () throws(FormBody.DecodingError) in try FormBody(parsing: bytes.lazy.map { $0 }) }
    require(parsed == viaCopy, "contiguous and non-contiguous parsing differ: \(parsed) vs \(viaCopy)")

    switch (parsed, referenceParse(bytes)) {
    case (.success(let body), .success(let expected)):
        require(body.parameters.map { [Array($0.name.utf8), Array($0.value.utf8)] } == expected,
                "parameters differ from the reference decoder's")
        // encoded() is plain ASCII of unreserved bytes, %XX, = and &, and decodes back.
        let encoded = body.encoded()
        require(encoded.utf8.allSatisfy { isUnreserved($0) || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "&") },
                "encoded() left a reserved byte: \(encoded)")
        let reparsed = Result { () throws(FormBody.DecodingError) in try FormBody(parsing: Array(encoded.utf8)) }
        switch reparsed {
        case .success(let again):
            // Byte-for-byte equality of names and values, not String's canonical equivalence.
            require(again.parameters.count == body.parameters.count
                    && zip(again.parameters, body.parameters).allSatisfy {
                        $0.name.utf8.elementsEqual($1.name.utf8) && $0.value.utf8.elementsEqual($1.value.utf8)
                    }, "encoded() does not parse back to the same parameters: \(encoded)")
        case .failure(let error):
            require(false, "encoded() does not parse: \(error)")
        }
        // Lookups agree with the parameter list.
        if let first = body.parameters.first {
            require(body[first.name]?.utf8.elementsEqual(first.value.utf8) == true, "subscript misses the first parameter")
        }
    case (.failure(let error), .failure(let expected)):
        require(error.position == expected.position && error.component == expected.component && error.problem == expected.problem,
                "error \(error) differs from the reference's \(expected)")
        _ = error.description
    case (let got, let expected):
        require(false, "FormBody gave \(got), the reference decoder \(expected)")
    }
    return 0
}

@_cdecl("FuzzFormBody_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzFormBody)
}

/// What the reference decoder reports for a bad body.
struct ReferenceFailure: Error, Equatable {
    let position: Int
    let component: FormBody.DecodingError.Component
    let problem: FormBody.DecodingError.Problem
}

/// `application/x-www-form-urlencoded` as FormBody's documentation describes it, written as
/// plainly as possible: split at `&` (empty segments skipped), then at the first `=`;
/// `+` is a space, `%XX` a byte, and the bytes must be UTF-8. Names and values as bytes.
func referenceParse(_ bytes: [UInt8]) -> Result<[[[UInt8]]], ReferenceFailure> {
    var result: [[[UInt8]]] = []
    for segment in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
        let position = result.count + 1
        let equals = segment.firstIndex(of: UInt8(ascii: "="))
        let name = segment[..<(equals ?? segment.endIndex)]
        let value = equals.map { segment[($0 + 1)...] } ?? []
        var pair: [[UInt8]] = []
        for (component, raw) in [(FormBody.DecodingError.Component.name, name), (.value, value)] {
            switch decode(raw) {
            case .success(let decoded): pair.append(decoded)
            case .failure(let problem): return .failure(ReferenceFailure(position: position, component: component, problem: problem))
            }
        }
        result.append(pair)
    }
    return .success(result)
}

private func decode(_ raw: ArraySlice<UInt8>) -> Result<[UInt8], FormBody.DecodingError.Problem> {
    var out: [UInt8] = []
    var index = raw.startIndex
    while index < raw.endIndex {
        let byte = raw[index]
        if byte == UInt8(ascii: "+") {
            out.append(UInt8(ascii: " "))
            index += 1
        } else if byte == UInt8(ascii: "%") {
            guard let high = hex(raw, index + 1), let low = hex(raw, index + 2)
            else { return .failure(.malformedPercentEscape) }
            out.append(high << 4 | low)
            index += 3
        } else {
            out.append(byte)
            index += 1
        }
    }
    // UTF-8 validity, by the standard library's own decoder.
    var iterator = out.makeIterator()
    var utf8 = UTF8()
    while true {
        switch utf8.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return .success(out)
        case .error: return .failure(.invalidUTF8)
        }
    }
}

private func hex(_ raw: ArraySlice<UInt8>, _ index: Int) -> UInt8? {
    guard index < raw.endIndex else { return nil }
    switch raw[index] {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return raw[index] - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return raw[index] - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return raw[index] - UInt8(ascii: "A") + 10
    default: return nil
    }
}

private func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
    default: false
    }
}
