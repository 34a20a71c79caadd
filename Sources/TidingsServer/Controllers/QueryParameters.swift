import Foundation
import Hummingbird
import TidingsCore

/// Reads the query string of the `/v1` routes, refusing bad values with a `400` that
/// names the parameter.
struct QueryParameters {
    let parameters: [String: String]
    /// The "now" that relative times (`since=24h`) count back from.
    let now: Date

    init(_ request: Request, now: Date = Date()) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            parameters[String(name)] = String(value)
        }
        self.parameters = parameters
        self.now = now
    }

    func string(_ name: String) -> String? {
        parameters[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// ``string(_:)`` for a value the stores compare with what they hold (an address, a
    /// channel, a status): refused when it contains a NUL character, which none of them
    /// has and which PostgreSQL cannot take in text (the query failed, answered `503`).
    func text(_ name: String) throws -> String? {
        guard let text = string(name) else { return nil }
        guard !text.utf8.contains(0) else { throw invalid(name, Self.nulProblem) }
        return text
    }

    /// A comma-separated list, lowercased; refused, as ``text(_:)``, with a NUL character.
    func list(_ name: String) throws -> Set<String> {
        Set((try text(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty })
    }

    /// Why a value with a NUL character is refused.
    static let nulProblem = "the value contains a NUL character (%00), which no SID, address, channel or status has"

    func integer(_ name: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range?.contains(value) ?? true else {
            throw invalid(name, "\(text) is not a whole number\(range.map { " from \($0.lowerBound) to \($0.upperBound)" } ?? "")")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw invalid(name, "\(text) is not true or false")
        }
    }

    /// An RFC 3339 time, or a duration before now (`since=24h`), within the years 0001 to
    /// 9999 (what RFC 3339 writes, and what the stores' millisecond columns hold).
    func time(_ name: String) throws -> Date? {
        guard let text = string(name) else { return nil }
        let time: Date
        if let date = JSONCoding.parseTimestamp(text) {
            time = date
        } else if let seconds = DurationText.seconds(text) {
            time = now.addingTimeInterval(-seconds)
        } else {
            throw invalid(name, "\(text) is neither an RFC 3339 time (2026-11-23T19:00:00Z) nor a duration ago (24h, 30m)")
        }
        guard Self.representableTimes.contains(time.timeIntervalSince1970) else {
            throw invalid(name, "\(text) is outside the years 0001 to 9999")
        }
        return time
    }

    /// The times a parameter may name: the years 0001 to 9999, as RFC 3339 writes them.
    static let representableTimes = -62_135_596_800.0..<253_402_300_800.0

    /// A duration (`24h`, `90m`) of at most `maximum` seconds.
    func duration(_ name: String, maximum: TimeInterval) throws -> TimeInterval? {
        guard let text = string(name) else { return nil }
        guard let seconds = DurationText.seconds(text), seconds > 0, seconds <= maximum else {
            throw invalid(name, "\(text) is not a duration like 24h or 90m, up to \(DurationText.text(maximum))")
        }
        return seconds
    }

    func invalid(_ name: String, _ problem: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", message: "\(name): \(problem).", field: name)
    }
}
