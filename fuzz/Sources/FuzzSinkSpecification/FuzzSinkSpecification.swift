import Foundation
import FuzzSupport
import TidingsCore

/// `SinkSpecification(parsing:)`, the `--sink KIND=TARGET;option=value…` parser, on the
/// input as text. Beyond "throws or parses, never traps", a parsed value must be consistent
/// (lowercase kind and option names, a target, the common options taken out of `options`,
/// `name` defaulting to the kind) and written back as a `--sink` value it must parse to
/// the same specification.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSinkSpecification(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let specification = try? SinkSpecification(parsing: text) else { return 0 }
    require(specification.kind == specification.kind.lowercased(), "kind \(specification.kind) not lowercased")
    require(!specification.target.isEmpty, "empty target")
    for common in ["name", "statuses", "channels", "only"] {
        require(specification.options[common] == nil, "common option \(common) left in options")
    }
    require(specification.options.keys.allSatisfy { $0 == $0.lowercased() }, "option names not lowercased")
    require(!(specification.filter.onlyFinal && specification.filter.onlyErrors), "only=final and only=errors at once")

    // Written back: KIND=TARGET, then every option; it must parse to the same value. An
    // option name with whitespace at an end cannot be written back (the parser trims each
    // part); it comes from `;=NAME` with whitespace after `=`, which the parser reads as an
    // option NAME, dropping the `=` (a quirk, not checked here).
    // The same for `statuses`/`channels` entries, which are not trimmed either
    // (`statuses=failed| undelivered` keeps " undelivered", which no status matches).
    let untrimmed = { (text: String) in text != text.trimmingCharacters(in: .whitespaces) }
    guard !specification.options.keys.contains(where: untrimmed),
          !specification.filter.statuses.contains(where: untrimmed),
          !specification.filter.channels.contains(where: untrimmed)
    else { return 0 }
    // (`name` only when it is not the kind's default: a name given explicitly is trimmed, the
    // default one keeps any whitespace inside `KIND`.)
    var parts = ["\(specification.kind)=\(specification.target)"]
    if specification.name != specification.kind { parts.append("name=\(specification.name)") }
    for (key, value) in specification.options.sorted(by: { $0.key < $1.key }) {
        parts.append(value.isEmpty ? key : "\(key)=\(value)")
    }
    if !specification.filter.statuses.isEmpty { parts.append("statuses=" + specification.filter.statuses.sorted().joined(separator: "|")) }
    if !specification.filter.channels.isEmpty { parts.append("channels=" + specification.filter.channels.sorted().joined(separator: "|")) }
    if specification.filter.onlyFinal { parts.append("only=final") }
    if specification.filter.onlyErrors { parts.append("only=errors") }
    let written = parts.joined(separator: ";")
    let again = try? SinkSpecification(parsing: written)
    require(again == specification, "\(text.debugDescription) parsed, written back as \(written.debugDescription), parses to \(String(describing: again))")
    return 0
}

@_cdecl("FuzzSinkSpecification_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzSinkSpecification)
}
