import Foundation
import Testing

/// docs/configuration.md names every flag of the real `tidings serve`, as its
/// `--experimental-dump-help` lists them, with its environment variable. The document is
/// generated (`python3 docs/generate-configuration.py`; CI runs it with `--check`, which also
/// compares every word); this test fails under `swift test` as soon as a flag is added
/// without regenerating it.
@Suite("docs/configuration.md")
struct ConfigurationDocumentTests {
    static let document = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "docs/configuration.md")

    /// The long names of `tidings serve`'s flags, `help` left out.
    static func serveFlags() async throws -> [String] {
        let dump = try await TidingsCommand.run(["serve", "--experimental-dump-help"])
        #expect(dump.exitStatus == 0, "\(dump.standardError)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.standardOutput.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        return arguments.compactMap { argument in
            guard let preferred = argument["preferredName"] as? [String: Any], preferred["kind"] as? String == "long",
                  let name = preferred["name"] as? String, name != "help"
            else { return nil }
            return name
        }
    }

    @Test func everyFlagOfServeHasItsRowWithItsEnvironmentVariable() async throws {
        let flags = try await Self.serveFlags()
        #expect(flags.count > 20, "the dump lists the flags: \(flags)")
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `--") }
        for flag in flags {
            let variable = "TIDINGS_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
            let row = rows.first { $0.hasPrefix("| `--\(flag)`") }
            #expect(
                row?.contains("`\(variable)`") == true,
                "docs/configuration.md has no row for --\(flag) (\(variable)): run python3 docs/generate-configuration.py")
        }
        let documented = rows.compactMap { row in row.split(separator: "`").dropFirst().first.map { String($0.dropFirst(2)) } }
        #expect(Set(documented).subtracting(flags).isEmpty, "docs/configuration.md documents flags serve no longer has: \(Set(documented).subtracting(flags))")
    }
}
