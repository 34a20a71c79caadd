extension FormBody {
    /// Why a form body could not be decoded, naming the parameter at fault.
    ///
    /// The description names the parameter (by its decoded name when that much could be
    /// decoded, always by its position) and the problem, but never quotes a value: values
    /// carry phone numbers and message text.
    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The part of a `name=value` pair that could not be decoded.
        public enum Component: String, Sendable, Equatable {
            /// The text before the first `=`.
            case name
            /// The text after the first `=`.
            case value
        }

        /// What was wrong with the component.
        public enum Problem: Error, Sendable, Equatable {
            /// A `%` that is not followed by two hexadecimal digits.
            case malformedPercentEscape
            /// Percent-decoding gave bytes that are not valid UTF-8.
            case invalidUTF8
        }

        /// The parameter's position among the body's non-empty `&`-separated segments,
        /// counting from 1.
        public let position: Int
        /// The parameter's decoded name, or `nil` when the name itself could not be decoded.
        public let name: String?
        /// The name as it appeared on the wire, when it could not be decoded (invalid UTF-8
        /// shown as U+FFFD). The ``description`` shows at most 40 characters of it, anything
        /// but printable ASCII as `?`: a binary body must not put junk in an answer or a log.
        public let rawName: String?
        /// Which part of the pair failed.
        public let component: Component
        /// What was wrong with it.
        public let problem: Problem

        /// For example `parameter "Body" (#3): value has a "%" not followed by two
        /// hexadecimal digits`.
        public var description: String {
            let parameter = if let name {
                "parameter \"\(Self.printable(name))\" (#\(position))"
            } else if let rawName {
                "parameter #\(position) (raw name \"\(Self.printable(rawName))\")"
            } else {
                "parameter #\(position)"
            }
            let explanation = switch problem {
            case .malformedPercentEscape: "has a \"%\" not followed by two hexadecimal digits"
            case .invalidUTF8: "is not valid UTF-8 once percent-decoded"
            }
            return "\(parameter): \(component.rawValue) \(explanation)"
        }

        /// `text` cut to 40 characters, with every character that is not printable ASCII
        /// (controls, U+FFFD, any non-ASCII) shown as `?`, and `"` and `\\` as `?` too.
        public static func printable(_ text: String) -> String {
            let shown = text.unicodeScalars.prefix(40).map { scalar -> Character in
                (0x20..<0x7F).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? Character(scalar) : "?"
            }
            return String(shown) + (text.unicodeScalars.count > 40 ? "…" : "")
        }
    }
}
