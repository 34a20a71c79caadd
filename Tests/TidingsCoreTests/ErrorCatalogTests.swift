import Foundation
import Testing
import TidingsCore

@Suite("ErrorCatalog: Twilio error codes for people")
struct ErrorCatalogTests {
    let catalog = ErrorCatalog.twilio

    /// The codes the catalog must cover (those whose existence and name Twilio confirms).
    static let requiredCodes: [Int] =
        Array(30001...30012)
        + [30017, 30018, 30019, 30020, 30021, 30022, 30023, 30024]
        + [30032, 30034, 30035, 30036, 30037, 30038, 30041, 30450, 30500]
        + [63001, 63003, 63005, 63007, 63013, 63016, 63018, 63021, 63024, 63031, 63049]
        + [21211, 21408, 21610, 21612, 21614, 21617, 21635]

    @Test(arguments: requiredCodes)
    func everyRequiredCodeIsPresent(code: Int) throws {
        let entry = try #require(catalog.entry(for: code), "no entry for \(code)")
        #expect(entry.code == code)
    }

    @Test func codesAreUniqueAndSorted() {
        let codes = catalog.entries.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
    }

    @Test func everyDocsURLIsTwiliosPageForTheCode() {
        for entry in catalog.entries {
            #expect(entry.docsURL == "https://www.twilio.com/docs/api/errors/\(entry.code)")
        }
    }

    @Test func everyEntrySaysSomethingShort() {
        for entry in catalog.entries {
            #expect(!entry.title.isEmpty, "\(entry.code) has no title")
            #expect(!entry.meaning.isEmpty, "\(entry.code) has no meaning")
            #expect(entry.meaning.count <= 300, "\(entry.code): meaning is \(entry.meaning.count) characters")
        }
    }

    @Test func aKnownCodeHasItsTitle() {
        #expect(catalog.entry(for: 30003)?.title == "Unreachable destination handset")
        #expect(catalog.entry(for: 21610)?.title == "Attempt to send to unsubscribed recipient")
    }

    @Test func anUnknownCodeHasNoEntryButADocsURL() {
        #expect(catalog.entry(for: 30999) == nil)
        #expect(ErrorCatalog.docsURL(for: 30999) == "https://www.twilio.com/docs/api/errors/30999")
        #expect(ErrorCatalog.docsURL(for: 12) == "https://www.twilio.com/docs/api/errors/12")
    }

    @Test(arguments: [30001, 30003, 30008, 30017, 30022, 30023, 30450, 30500, 63017, 63018])
    func transientConditionsAreRetryable(code: Int) throws {
        #expect(try #require(catalog.entry(for: code)).retryable)
    }

    @Test(arguments: [21211, 21610, 21614, 21635, 30002, 30004, 30005, 30006, 30007, 30032, 30034, 63016, 63024])
    func permanentConditionsAreNotRetryable(code: Int) throws {
        #expect(try #require(catalog.entry(for: code)).retryable == false)
    }

    @Test func aCustomCatalogIsSortedAndTheLaterEntryForACodeWins() {
        let custom = ErrorCatalog(entries: [
            .init(code: 2, title: "Second", meaning: "b", retryable: true),
            .init(code: 1, title: "First", meaning: "a", retryable: false),
            .init(code: 2, title: "Second, corrected", meaning: "c", retryable: false),
        ])
        #expect(custom.entries.map(\.code) == [1, 2])
        #expect(custom.entry(for: 2)?.title == "Second, corrected")
        #expect(custom.entry(for: 1)?.docsURL == "https://www.twilio.com/docs/api/errors/1")
    }

    @Test func anEntryRoundTripsThroughJSON() throws {
        let entry = try #require(catalog.entry(for: 30007))
        let decoded = try JSONDecoder().decode(ErrorCatalog.Entry.self, from: JSONEncoder().encode(entry))
        #expect(decoded == entry)
    }
}

/// Every Twilio error code the README or the articles name is one `tidings status` can
/// explain.
@Suite("ErrorCatalog: the codes the documentation names")
struct DocumentedErrorCodeTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyCodeNamedInTheDocumentationIsInTheCatalog() throws {
        let documents = ["README.md"] + (try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appending(path: "Sources/TidingsCore/TidingsCore.docc").path(percentEncoded: false)
        ).map { "Sources/TidingsCore/TidingsCore.docc/" + $0 })
        var named: Set<Int> = []
        for document in documents {
            let text = try String(contentsOf: Self.root.appending(path: document), encoding: .utf8)
            // Twilio's messaging error codes: 21xxx (refused at creation), 30xxx (delivery), 63xxx (channels).
            for match in text.matches(of: #/\b(21\d{3}|30\d{3}|63\d{3})\b/#) {
                named.insert(Int(match.output.1)!)
            }
        }
        #expect(!named.isEmpty, "the README names error codes (30003 at least)")
        for code in named.sorted() {
            #expect(ErrorCatalog.twilio.entry(for: code) != nil, "\(code) is named in the documentation but not in the catalog")
        }
    }
}
