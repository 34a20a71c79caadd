import Foundation

/// The names of a ``FileSink``'s files: the active one (`events.jsonl`) and the closed
/// ones beside it (`events-2026-11-23T190407Z.jsonl`, `events-2026-11-23.jsonl`,
/// `events-2026-11-23-2.jsonl`).
struct FileArchiveNames {
    /// The active file's path.
    let activePath: String
    /// The folder of every file.
    let folder: URL
    private let stem: String
    private let pathExtension: String

    init(activePath: String) {
        let url = URL(fileURLWithPath: activePath)
        self.activePath = activePath
        folder = url.deletingLastPathComponent()
        stem = url.deletingPathExtension().lastPathComponent
        pathExtension = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
    }

    /// `2026-11-23`: the UTC day of `date`, the stamp of a file closed because its day ended.
    static func dayStamp(_ date: Date) -> String {
        date.formatted(dayStyle)
    }

    /// `2026-11-23T190407Z`: the UTC second of `date`, the stamp of a file closed because
    /// it was full.
    static func instantStamp(_ date: Date) -> String {
        date.formatted(instantStyle)
    }

    /// The name of the closed file with `stamp` and `number`: `stem-stamp.ext` for
    /// number 1, `stem-stamp-2.ext` and so on after it.
    func closedName(stamp: String, number: Int) -> String {
        "\(stem)-\(stamp)\(number == 1 ? "" : "-\(number)")\(pathExtension)"
    }

    /// Where the file named `name` (in ``folder``) stands among the closed files, or nil
    /// when it is not one: `stem-`, a stamp as ``dayStamp(_:)`` or ``instantStamp(_:)``
    /// write it, an optional `-2`, `-3`, …, and the active file's extension.
    ///
    /// The order comes from the name, not from the file system's times (which may be
    /// coarser than the rotations, or changed by a copy).
    func closedFilePosition(_ name: String) -> ClosedFilePosition? {
        let prefix = stem + "-"
        guard name.hasPrefix(prefix), name.hasSuffix(pathExtension) else { return nil }
        let middle = name.dropFirst(prefix.count).dropLast(pathExtension.count)
        let isInstant = middle.count >= 18 && middle.dropFirst(10).first == "T"
        let stamp = String(middle.prefix(isInstant ? 18 : 10))
        let style = isInstant ? Self.instantStyle : Self.dayStyle
        guard let date = try? style.parse(stamp), date.formatted(style) == stamp else { return nil }
        let suffix = middle.dropFirst(stamp.count)
        var number = 1
        if !suffix.isEmpty {
            guard suffix.first == "-", let parsed = Int(suffix.dropFirst()), parsed >= 2 else { return nil }
            number = parsed
        }
        // A day's file is closed once that day is over; a full file, at its stamp.
        return ClosedFilePosition(
            stamp: stamp, closedAt: isInstant ? date : date.addingTimeInterval(24 * 3600), number: number)
    }

    private static let dayStyle = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
    private static let instantStyle = Date.ISO8601FormatStyle(timeSeparator: .omitted, timeZone: .gmt)
}
