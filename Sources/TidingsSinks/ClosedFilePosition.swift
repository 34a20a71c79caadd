import Foundation

/// When a closed file was closed, as its name tells: later files sort after earlier ones.
struct ClosedFilePosition: Comparable {
    /// The stamp in the name.
    let stamp: String
    /// The stamp's time (for a day, the end of that day).
    let closedAt: Date
    /// 1, or the number that made the name unique (`-2`, `-3`, …).
    let number: Int

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.closedAt, lhs.number) < (rhs.closedAt, rhs.number)
    }
}
