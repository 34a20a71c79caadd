/// An `application/x-www-form-urlencoded` body, as Twilio posts its webhooks.
///
/// The parameters keep the order they arrived in, and a name may repeat: Twilio's signature
/// covers every value of a repeated name, so nothing may be merged or dropped before the
/// signature is checked. Names and values are compared byte for byte (their UTF-8 bytes),
/// never by Swift's Unicode canonical equivalence, because that is how Twilio tells them
/// apart.
public struct FormBody: Sendable, Equatable, Sequence {
    /// One `name=value` pair of a form body, percent-decoded.
    public struct Parameter: Sendable, Equatable, Codable {
        /// The decoded name.
        public let name: String
        /// The decoded value; `""` for a name that came without `=`.
        public let value: String

        /// A parameter with this name and value.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every parameter, in order, repeats included.
    public var parameters: [Parameter]

    /// A body made of these parameters, in this order.
    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
    }

    /// Decodes an `application/x-www-form-urlencoded` body.
    ///
    /// Parameters are separated by `&`; empty segments (`a=1&&b=2`, a trailing `&`) are
    /// skipped. A segment splits at its first `=`; a segment without `=` is a name with the
    /// value `""`. In names and values `+` is a space and `%XX` is the byte with hexadecimal
    /// value `XX`; the bytes must then form valid UTF-8.
    ///
    /// Decoding is strict where lenient decoders guess: a `%` not followed by two hexadecimal
    /// digits, or a decoded name or value that is not UTF-8, is an error rather than a
    /// replacement character, because a guessed value would be signed differently from what
    /// Twilio sent.
    ///
    /// - Throws: ``DecodingError``, naming the offending parameter.
    public init(parsing bytes: some Collection<UInt8>) throws(DecodingError) {
        // The parser walks one contiguous buffer by offsets: a generic walk over any
        // collection cost more than the rest of a callback's handling.
        let parsed = bytes.withContiguousStorageIfAvailable(Self.parameters(in:))
            ?? Array(bytes).withUnsafeBufferPointer(Self.parameters(in:))
        self.parameters = try parsed.get()
    }

    /// The parameters of the form in `bytes`, or the first problem.
    private static func parameters(in bytes: UnsafeBufferPointer<UInt8>) -> Result<[Parameter], DecodingError> {
        var parameters: [Parameter] = []
        var segmentStart = 0
        while segmentStart < bytes.count {
            let segmentEnd = bytes[segmentStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            defer { segmentStart = segmentEnd + 1 }
            guard segmentEnd > segmentStart else { continue }
            let segment = UnsafeBufferPointer(rebasing: bytes[segmentStart..<segmentEnd])
            let equals = segment.firstIndex(of: UInt8(ascii: "="))
            let rawName = UnsafeBufferPointer(rebasing: segment[..<(equals ?? segment.count)])
            let rawValue = UnsafeBufferPointer(rebasing: segment[(equals.map { $0 + 1 } ?? segment.count)...])
            let position = parameters.count + 1

            let name: String
            do {
                name = try decodeComponent(rawName)
            } catch {
                return .failure(DecodingError(
                    position: position, name: nil,
                    rawName: String(decoding: rawName, as: UTF8.self),
                    component: .name, problem: error))
            }
            let value: String
            do {
                value = try decodeComponent(rawValue)
            } catch {
                return .failure(DecodingError(
                    position: position, name: name, rawName: nil,
                    component: .value, problem: error))
            }
            parameters.append(Parameter(name: name, value: value))
        }
        return .success(parameters)
    }

    /// The first value of the parameter with exactly this name, or `nil` if there is none.
    public subscript(name: String) -> String? {
        parameters.first { $0.name.hasSameUTF8(as: name) }?.value
    }

    /// The first value of the parameter with exactly this name, without the whitespace
    /// around it; nil when there is none or it is blank. This is how a callback's fields
    /// are read (see ``StatusCallback``).
    public func trimmedValue(_ name: String) -> String? {
        guard let value = self[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// Whether the body has no parameters.
    public var isEmpty: Bool { parameters.isEmpty }

    /// The parameters in order.
    public func makeIterator() -> IndexingIterator<[Parameter]> {
        parameters.makeIterator()
    }

    /// The body in `application/x-www-form-urlencoded` form: `name=value` pairs joined by
    /// `&`, with every byte outside the unreserved set `A-Z a-z 0-9 - . _ ~` percent-encoded
    /// (a space as `%20`). Decoding the result gives back these parameters.
    public func encoded() -> String {
        parameters
            .map { Self.encodeComponent($0.name) + "=" + Self.encodeComponent($0.value) }
            .joined(separator: "&")
    }
}
