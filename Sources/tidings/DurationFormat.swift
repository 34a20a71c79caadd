import Foundation

/// Durations as people read them: `0.35s`, `4.8s`, `2m05s`, `1h02m`, `3d04h`.
enum DurationFormat {
    /// `seconds` in the shortest unit that keeps it readable, with a leading `+` or `-`
    /// when `signed` (the delay between two steps of a timeline).
    static func text(_ seconds: Double, signed: Bool = false) -> String {
        let sign = seconds < 0 ? "-" : (signed ? "+" : "")
        let value = abs(seconds)
        let body: String
        // Each bound is where rounding would carry into the next unit (59.97s is 1m00s).
        switch value {
        case 0: body = "0s"
        case ..<0.995: body = String(format: "%.2fs", value)
        case ..<59.95: body = String(format: "%.1fs", value)
        case ..<3599.5:
            let whole = Int(value.rounded())
            body = String(format: "%dm%02ds", whole / 60, whole % 60)
        case ..<86_370:
            let minutes = Int((value / 60).rounded())
            body = String(format: "%dh%02dm", minutes / 60, minutes % 60)
        default:
            let hours = Int((value / 3600).rounded())
            body = String(format: "%dd%02dh", hours / 24, hours % 24)
        }
        return sign + body
    }
}
