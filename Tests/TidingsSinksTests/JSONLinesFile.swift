import Foundation
import TidingsCore

/// The JSON lines of the file at `url`, each decoded as `Line` with Tidings' conventions.
func jsonLines<Line: Decodable>(of url: URL, as _: Line.Type) throws -> [Line] {
    let decoder = JSONCoding.makeDecoder()
    return try String(decoding: Data(contentsOf: url), as: UTF8.self)
        .split(separator: "\n")
        .map { try decoder.decode(Line.self, from: Data($0.utf8)) }
}
