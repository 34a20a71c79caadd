import CFuzzerDriver
import TwilioWebhooks

/// A harness's test function, as libFuzzer calls it (`LLVMFuzzerTestOneInput`).
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Runs libFuzzer on `target` with the process's arguments; a harness's entry point
/// (`@_cdecl("<Module>_main")`, the name SwiftPM links as `main`) returns what this returns.
public func runFuzzer(
    argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ target: FuzzTarget
) -> Int32 {
    var argc = argc
    var argv = Optional(argv)
    return LLVMFuzzerRunDriver(&argc, &argv, target)
}

/// The fuzzer's input as a buffer (libFuzzer passes a null pointer for the empty input).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the fuzzer with a message: a property of the code under test does not hold.
///
/// `fatalError` makes the process die of SIGILL/SIGTRAP, which libFuzzer reports as a crash
/// (`deadly signal`) and saves the input as `crash-…`.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError("property violated: \(message())", file: file, line: line)
    }
}

/// The fuzzer's bytes as `\n`-separated fields, read front to back: a harness that needs
/// several strings (a URL, a header, a body) takes them one after another, and the last
/// takes whatever is left, newlines included. Seeds stay readable in a text editor.
public struct FieldReader {
    private var rest: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) {
        rest = bytes[...]
    }

    /// The bytes up to the next `\n` (not included), or all that is left.
    public mutating func field() -> ArraySlice<UInt8> {
        guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else {
            defer { rest = rest[rest.endIndex...] }
            return rest
        }
        defer { rest = rest[(newline + 1)...] }
        return rest[..<newline]
    }

    /// ``field()`` as text (invalid UTF-8 as U+FFFD).
    public mutating func text() -> String {
        String(decoding: field(), as: UTF8.self)
    }

    /// Everything not read yet.
    public mutating func remainder() -> ArraySlice<UInt8> {
        defer { rest = rest[rest.endIndex...] }
        return rest
    }
}

/// A form body from any bytes: ``FormBody/init(parsing:)`` when they decode, otherwise the
/// `&`/`=` split taken literally (no percent-decoding, invalid UTF-8 as U+FFFD). Harnesses
/// whose target takes a parsed body use it so that every input reaches the target, with
/// names and values that no valid encoding would produce too.
public func lenientFormBody(_ bytes: some Collection<UInt8>) -> FormBody {
    if let body = try? FormBody(parsing: bytes) { return body }
    let parameters = Array(bytes).split(separator: UInt8(ascii: "&")).map { segment in
        let equals = segment.firstIndex(of: UInt8(ascii: "=")) ?? segment.endIndex
        let value = equals == segment.endIndex ? segment[segment.endIndex...] : segment[(equals + 1)...]
        return FormBody.Parameter(
            name: String(decoding: segment[..<equals], as: UTF8.self),
            value: String(decoding: value, as: UTF8.self))
    }
    return FormBody(parameters)
}

/// A small deterministic source of choices drawn from the fuzzer's bytes, for harnesses that
/// build values (a change, a record) rather than parse them: the same input always builds
/// the same value, and running out of bytes gives zeros.
public struct ByteSource {
    private var bytes: ArraySlice<UInt8>

    public init(_ bytes: some Collection<UInt8>) {
        self.bytes = ArraySlice(bytes)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    public mutating func bool() -> Bool {
        byte() & 1 == 1
    }

    /// A whole number built from `count` bytes, little end first.
    public mutating func integer(bytes count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { value, index in value | UInt64(byte()) << (8 * UInt64(index)) }
    }

    /// A string of up to 15 bytes' worth of characters, mostly from the JSON-interesting ones
    /// (quotes, backslashes, control characters, non-ASCII, emoji).
    public mutating func string() -> String {
        let alphabet: [String] = [
            "a", "Z", "0", "+", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
            "é", "e\u{301}", "\u{2028}", "😀", "%", "&", "=", ";", "|", "SM", ":", "-", ".",
        ]
        let count = Int(byte() & 0x0F)
        return (0..<count).map { _ in alphabet[Int(byte()) % alphabet.count] }.joined()
    }

    /// ``string()`` or nil.
    public mutating func optionalString() -> String? {
        bool() ? string() : nil
    }
}
