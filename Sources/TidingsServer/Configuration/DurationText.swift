import Foundation

/// Durations as people write them in settings and query strings: `90s`, `30m`, `24h`,
/// `30d`, or a combination such as `1h30m`.
public enum DurationText {
    /// The number of seconds `text` names; nil when it is not a duration.
    public static func seconds(_ text: String) -> TimeInterval? {
        var total: TimeInterval = 0
        var number = ""
        var sawUnit = false
        for character in text.lowercased() where !character.isWhitespace {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number), let unit = unitSeconds[character] else { return nil }
            total += value * unit
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// `seconds` in the largest unit that divides it (`86400` is `1d`, `5400` is `90m`),
    /// which ``seconds(_:)`` reads back.
    public static func text(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where whole >= size && whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }

    private static let unitSeconds: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
}
